package labsh.runtime.puzzle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a student expects the puzzle's listing to be, written before running it (seed 004, problem 2:
 * "think and write down what should be the list of files/directories"), and how it differs from
 * what the kernel then showed. The text is a listing as tree(1) prints it, or simply indented
 * names; a line {@code [shared]} or {@code [private]} starts the prediction for one variant, and
 * lines before any such header are the prediction for both. {@code #} starts a comment, and
 * tree's last line ("3 directories, 0 files") may be left out.
 */
public final class Prediction {
    public static final String SHARED = "shared", PRIVATE = "private";
    private static final String BOTH = "both";

    /** tree(1)'s drawing before a name: {@code │   ├── }, {@code |   `-- }, or indentation. */
    private static final java.util.regex.Pattern TREE_DRAWING = java.util.regex.Pattern.compile("[ │├└─|`]*(?:-- )?");

    private final Map<String, List<String>> byVariant;

    private Prediction(Map<String, List<String>> byVariant) {
        this.byVariant = byVariant;
    }

    /** Reads a prediction file; a missing or empty one is an IllegalArgumentException with one line. */
    public static Prediction read(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--predict: no file at " + file);
        try {
            Prediction p = parse(Files.readString(file, StandardCharsets.UTF_8));
            if (p.byVariant.values().stream().allMatch(List::isEmpty)) {
                throw new IllegalArgumentException("--predict: " + file + " has no listing in it (write the tree you expect for /smt)");
            }
            return p;
        } catch (IOException e) {
            throw new IllegalArgumentException("--predict: cannot read " + file + ": " + e.getMessage());
        }
    }

    public static Prediction parse(String text) {
        Map<String, List<String>> raw = new LinkedHashMap<>();
        String section = BOTH;
        raw.put(section, new ArrayList<>());
        for (String line : text.split("\n", -1)) {
            String t = line.strip();
            if (t.startsWith("#")) continue;
            if (t.matches("\\[[A-Za-z ]+\\]")) {
                section = t.substring(1, t.length() - 1).strip().toLowerCase(Locale.ROOT);
                if (!section.equals(SHARED) && !section.equals(PRIVATE)) {
                    throw new IllegalArgumentException("--predict: unknown section " + t + " (use [shared] or [private])");
                }
                raw.put(section, new ArrayList<>());
                continue;
            }
            raw.get(section).add(line);
        }
        Map<String, List<String>> m = new LinkedHashMap<>();
        raw.forEach((k, v) -> m.put(k, normalize(String.join("\n", v))));
        return new Prediction(m);
    }

    /** The expected listing for a variant ({@link #SHARED} or {@link #PRIVATE}), normalized; empty when none was written. */
    public List<String> forVariant(String variant) {
        List<String> own = byVariant.get(variant);
        if (own != null && !own.isEmpty()) return own;
        return byVariant.getOrDefault(BOTH, List.of());
    }

    /**
     * A listing as canonical lines: one name per line, four spaces per level. The level of a line
     * is the rank of the column its name starts at, so tree's {@code └── } (with or without its
     * non-breaking spaces), {@code `-- } of {@code tree --charset=ascii}, and plain indentation all
     * read the same. Blank lines and tree's summary line are dropped.
     */
    public static List<String> normalize(String listing) {
        List<Integer> columns = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String l = line.replace('\u00a0', ' ').stripTrailing();
            if (l.isBlank() || l.strip().matches("\\d+ director(y|ies)(, \\d+ files?)?")) continue;
            java.util.regex.Matcher drawing = TREE_DRAWING.matcher(l);
            int c = drawing.lookingAt() ? drawing.end() : 0;
            columns.add(c);
            names.add(l.substring(c));
        }
        List<Integer> ranks = new ArrayList<>(new TreeSet<>(columns));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) out.add("    ".repeat(ranks.indexOf(columns.get(i))) + names.get(i));
        return out;
    }

    /**
     * The lines of {@code expected} and {@code actual} as a diff: "  " both, "- " only expected
     * (predicted, not there), "+ " only actual (there, not predicted); a longest common subsequence.
     */
    public static List<String> diff(List<String> expected, List<String> actual) {
        int n = expected.size(), m = actual.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = expected.get(i).equals(actual.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && expected.get(i).equals(actual.get(j))) {
                out.add("  " + expected.get(i++));
                j++;
            } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
                out.add("+ " + actual.get(j++));
            } else {
                out.add("- " + expected.get(i++));
            }
        }
        return out;
    }
}
