package labsh.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

import labsh.kernel.MountInfo;
import labsh.runtime.Ledger;

/**
 * A container's own directory on the host ({@code <state>/containers/NAME}: the overlay's upper and
 * work directories, the mount point of its root), recorded in the ledger as kind
 * {@code container-dir}. Its remover never deletes through a mount: while anything is still mounted
 * at or under it (the overlay, a bind of someone's rootfs directory) it refuses, because walking
 * into a bind of a user's directory would delete the user's files.
 */
public final class ContainerDir {
    public static final String KIND = "container-dir";

    private ContainerDir() {}

    /** Records, then creates {@code dir} (which must not exist yet: a name in use is refused). */
    public static Ledger.Entry create(Path dir) {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(dir + " already exists (a container of that name is running, or `labsh clean` is due)");
        }
        Ledger.Entry e = Ledger.current().intend(KIND, "path", dir.toString());
        try {
            Files.createDirectories(dir);
        } catch (IOException ex) {
            e.removed();
            throw new UncheckedIOException("cannot create " + dir + ": " + ex.getMessage(), ex);
        }
        return e;
    }

    /** The ledger's remover (also used by a container's stop). */
    public static void removeRecorded(Map<String, String> fields) {
        Path dir = Path.of(fields.get("path"));
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        MountInfo inside = mountedUnder(dir);
        if (inside != null) {
            throw new IllegalStateException("not deleting " + dir + ": " + inside.mountPoint() + " is still mounted (" + inside.fsType() + ")");
        }
        delete(dir);
    }

    /** A mount of this process's mount namespace at or under {@code dir}, or null. */
    static MountInfo mountedUnder(Path dir) {
        String prefix = dir.toAbsolutePath().normalize().toString();
        for (MountInfo m : MountInfo.ofThisThread()) {
            if (m.mountPoint().equals(prefix) || m.mountPoint().startsWith(prefix + "/")) return m;
        }
        return null;
    }

    /**
     * rm -r through descriptors ({@link labsh.runtime.Removers#deletePath}): beneath the state
     * directory nothing below it is followed, a rootfs's absolute symlinks (bin/sh -> /bin/busybox)
     * and a container's upper directory (which its root user writes) included; a symlink swapped in
     * for a subdirectory is removed as the link it is.
     */
    static void delete(Path dir) {
        labsh.runtime.Removers.deletePath(dir.toString());
    }
}
