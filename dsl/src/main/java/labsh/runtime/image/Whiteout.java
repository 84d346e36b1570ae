package labsh.runtime.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * How overlayfs records a deletion in its upper directory: a character device with device number
 * 0/0 named as the deleted file (filesystems/overlayfs.rst, "whiteouts and opaque directories").
 * The kernel makes it (mknod or RENAME_WHITEOUT) when a file of a lower layer is removed; this
 * class only recognises it, from lstat(2): S_IFCHR and st_rdev 0.
 */
public final class Whiteout {
    private static final int S_IFMT = 0170000, S_IFCHR = 0020000;

    private Whiteout() {}

    public static boolean is(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            long rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFCHR && rdev == 0;
        } catch (IOException e) {
            throw new UncheckedIOException("lstat " + p + ": " + e.getMessage(), e);
        }
    }

    /** Every whiteout under {@code layer}, as paths inside the image ("/opt/pkg"), sorted. */
    public static List<String> in(Path layer) {
        try (Stream<Path> s = Files.walk(layer)) {
            return s.filter(p -> !p.equals(layer) && is(p)).map(p -> "/" + layer.relativize(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("walking " + layer + ": " + e.getMessage(), e);
        }
    }
}
