package labsh.runtime.container;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The output of util-linux {@code lsns --raw --noheadings -o NS,TYPE,NPROCS,PID,COMMAND} as rows,
 * and the difference between two of them: which namespaces only one lists, and which both list with
 * other process counts or first pids. lsns(8) finds namespaces by walking /proc, so what it lists
 * depends on which proc is mounted at /proc (seed 004, problem 1A).
 */
public record LsnsTable(List<Row> rows) {
    /** One namespace: its inode, type, how many processes lsns saw in it, the lowest pid, its command. */
    public record Row(long ns, String type, int nprocs, int pid, String command) {
        @Override
        public String toString() {
            String c = command.length() > 60 ? command.substring(0, 57) + "..." : command;
            return String.format("%10d %-6s %6d %7d %s", ns, type, nprocs, pid, c);
        }
    }

    /** The lsns options whose output {@link #parse} reads. */
    public static final List<String> COMMAND = List.of("lsns", "--raw", "--noheadings", "-o", "NS,TYPE,NPROCS,PID,COMMAND");

    public static LsnsTable parse(String raw) {
        List<Row> rows = new ArrayList<>();
        for (String line : raw.split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.strip().split(" ", 5);
            if (f.length < 4 || !f[0].matches("\\d+")) throw new IllegalArgumentException("not an lsns --raw line: " + line);
            // --raw escapes what is not printable ASCII as \xHH (unescape); COMMAND, the last column, keeps its spaces
            rows.add(new Row(Long.parseLong(f[0]), f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f.length == 5 ? unescape(f[4]) : ""));
        }
        return new LsnsTable(List.copyOf(rows));
    }

    /** --raw writes every byte outside printable ASCII as \xHH: decode it back as UTF-8. */
    static String unescape(String s) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            if (s.startsWith("\\x", i) && i + 4 <= s.length() && s.substring(i + 2, i + 4).matches("[0-9a-fA-F]{2}")) {
                b.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                b.write(s.charAt(i));
            }
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The namespace inodes listed. */
    public Set<Long> namespaces() {
        Set<Long> s = new TreeSet<>();
        for (Row r : rows) s.add(r.ns());
        return s;
    }

    public Row row(long ns) {
        for (Row r : rows) if (r.ns() == ns) return r;
        return null;
    }

    /** The rows of namespaces that {@code other} does not list. */
    public List<Row> notIn(LsnsTable other) {
        Set<Long> theirs = other.namespaces();
        return rows.stream().filter(r -> !theirs.contains(r.ns())).toList();
    }

    /** For namespaces both list but see differently: "NS TYPE: NPROCS a vs b, PID a vs b". */
    public Map<Long, String> changedIn(LsnsTable other) {
        Map<Long, String> m = new LinkedHashMap<>();
        for (Row r : rows) {
            Row o = other.row(r.ns());
            if (o != null && (o.nprocs() != r.nprocs() || o.pid() != r.pid())) {
                m.put(r.ns(), r.ns() + " " + r.type() + ": NPROCS " + r.nprocs() + " vs " + o.nprocs() + ", PID " + r.pid() + " vs " + o.pid()
                        + " (" + r.command() + " vs " + o.command() + ")");
            }
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("%10s %-6s %6s %7s %s%n", "NS", "TYPE", "NPROCS", "PID", "COMMAND"));
        for (Row r : rows) sb.append(r).append('\n');
        return sb.toString();
    }
}
