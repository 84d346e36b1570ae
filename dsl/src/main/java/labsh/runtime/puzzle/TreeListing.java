package labsh.runtime.puzzle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory listed as tree(1) prints it ({@code └── 1}, then "N directories, M files"), read with
 * java.nio by the calling thread, so in the mount namespace that thread is in. The root line is a
 * label (the puzzle writes {@code /smt} for its scratch directory). Bind mounts are not symlinks and
 * the walk cannot tell them apart from directories, so it stops at {@link #MAX_DEPTH} levels.
 */
public final class TreeListing {
    public static final int MAX_DEPTH = 12;

    private TreeListing() {}

    public static String of(Path dir, String label) {
        StringBuilder sb = new StringBuilder(label).append('\n');
        int[] counts = new int[2]; // directories, files
        walk(dir, "", 1, sb, counts);
        sb.append('\n').append(counts[0]).append(counts[0] == 1 ? " directory, " : " directories, ")
                .append(counts[1]).append(counts[1] == 1 ? " file" : " files").append('\n');
        return sb.toString();
    }

    private static void walk(Path dir, String lead, int depth, StringBuilder sb, int[] counts) {
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < entries.size(); i++) {
            Path p = entries.get(i);
            boolean last = i == entries.size() - 1;
            sb.append(lead).append(last ? "└── " : "├── ").append(p.getFileName());
            if (Files.isSymbolicLink(p)) {
                sb.append(" -> ").append(readLink(p)).append('\n');
                counts[1]++;
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                counts[0]++;
                if (depth >= MAX_DEPTH) {
                    sb.append("  [deeper levels not shown]\n");
                    continue;
                }
                sb.append('\n');
                walk(p, lead + (last ? "    " : "│   "), depth + 1, sb, counts);
            } else {
                sb.append('\n');
                counts[1]++;
            }
        }
    }

    private static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            return "?";
        }
    }
}
