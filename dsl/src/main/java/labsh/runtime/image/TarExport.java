package labsh.runtime.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import labsh.runtime.container.Rootfs.Tools;

/**
 * docker export, done with tar: a container's root as its mount shows it (overlayfs merged: the
 * whiteouts hide what was deleted) archived with {@code tar -C ROOT -cf FILE .}, then counted
 * from the archive itself: entries ({@code tar -tf | wc -l}), regular files (lines of
 * {@code tar -tvf} starting with '-') and the archive's size in bytes.
 */
public record TarExport(Path file, int entries, int files, long bytes) {
    /** Archives {@code root} into {@code file} (which must not exist) and counts what is in it. */
    public static TarExport of(Path root, Path file) {
        if (!Files.isDirectory(root)) throw new IllegalArgumentException("export: no directory at " + root);
        if (Files.exists(file)) throw new IllegalArgumentException("export: " + file + " already exists");
        // --numeric-owner: the uids as they are in the image; --one-file-system: not into /proc if mounted
        Tools.Result r = Tools.run("tar", "--numeric-owner", "--one-file-system", "-C", root.toString(), "-cf", file.toString(), ".");
        if (r.status() != 0) throw new IllegalStateException("tar -cf " + file + ": " + r.lastLine());
        Tools.Result listed = Tools.run("tar", "-tvf", file.toString());
        if (listed.status() != 0) throw new IllegalStateException("tar -tvf " + file + ": " + listed.lastLine());
        int entries = 0, files = 0;
        for (String line : listed.output().split("\n")) {
            if (line.isEmpty()) continue;
            entries++;
            if (line.charAt(0) == '-') files++;
        }
        try {
            return new TarExport(file, entries, files, Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException("stat " + file + ": " + e.getMessage(), e);
        }
    }
}
