package labsh.runtime.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import labsh.runtime.container.DiskUsage;

/**
 * One layer of an image: the instruction that made it ({@code RUN rm -r /opt/pkg}) and the directory
 * holding what it changed — for a RUN, the overlay's upper directory as the kernel left it, whiteouts
 * included. Sizes are what the file system allocated (du), read each time they are asked for.
 */
public record Layer(int number, String instruction, Path dir) {
    /** Bytes allocated under the layer's directory (du -s -B1 -x). */
    public long bytes() { return DiskUsage.bytes(dir); }

    /** The deletions this layer records (overlayfs whiteouts), as paths in the image. */
    public List<String> whiteouts() { return Whiteout.in(dir); }

    /**
     * What this layer changes, as docker diff prints it: {@code A /path} added, {@code C /path} changed
     * (it exists in a layer below too), {@code D /path} deleted (a whiteout). {@code below} are the
     * layers under this one.
     */
    public List<String> changes(List<Layer> below) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                if (p.equals(dir)) continue;
                String inImage = "/" + dir.relativize(p);
                if (Whiteout.is(p)) out.add("D " + inImage);
                else out.add((below.stream().anyMatch(l -> Files.exists(l.dir().resolve(inImage.substring(1)), LinkOption.NOFOLLOW_LINKS)) ? "C " : "A ") + inImage);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("walking " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public String toString() { return "layer " + number + ": " + instruction; }
}
