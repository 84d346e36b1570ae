package labsh.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of /proc/PID/mountinfo (proc(5)): what the kernel says about a mount, including the
 * optional fields that tell its propagation ({@code shared:N}, {@code master:N},
 * {@code propagate_from:N}, {@code unbindable}) — the fields a student reads to answer "is /proc
 * shared?" in seed 004.
 */
public record MountInfo(int id, int parentId, String majorMinor, String root, String mountPoint,
                        String options, List<String> optionalFields, String fsType, String source,
                        String superOptions) {

    /** The mounts of {@code pid} (or "self", "thread-self"), in the kernel's order. */
    public static List<MountInfo> of(String pid) {
        Path file = Path.of("/proc", pid, "mountinfo");
        try {
            List<MountInfo> mounts = new ArrayList<>();
            for (String line : Files.readAllLines(file)) if (!line.isBlank()) mounts.add(parse(line));
            return mounts;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new Namespaces.NoSuchProcessException(pid.matches("\\d+") ? Integer.parseInt(pid) : -1);
        } catch (IOException e) {
            throw new KernelException("read(" + file + ")", e.getMessage());
        }
    }

    public static List<MountInfo> of(int pid) { return of(Integer.toString(pid)); }

    /** The calling thread's view: after setns(CLONE_NEWNS) on a joined thread, the container's. */
    public static List<MountInfo> ofThisThread() { return of("thread-self"); }

    /** Parses one line: {@code 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue}. */
    public static MountInfo parse(String line) {
        String[] f = line.split(" ");
        int dash = -1;
        for (int i = 6; i < f.length; i++) if (f[i].equals("-")) { dash = i; break; }
        if (dash < 0 || f.length < dash + 3) throw new IllegalArgumentException("not a mountinfo line: " + line);
        List<String> optional = new ArrayList<>();
        for (int i = 6; i < dash; i++) optional.add(f[i]);
        return new MountInfo(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], unescape(f[3]), unescape(f[4]),
                f[5], List.copyOf(optional), f[dash + 1], unescape(f[dash + 2]), dash + 3 < f.length ? f[dash + 3] : "");
    }

    /** The kernel writes space, tab, newline and backslash in paths as \040 \011 \012 \134. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The peer group of a shared mount (shared:N), or 0. */
    public int peerGroup() { return optionalNumber("shared:"); }

    /** The peer group this slave receives from (master:N), or 0. */
    public int masterGroup() { return optionalNumber("master:"); }

    private int optionalNumber(String prefix) {
        for (String o : optionalFields) if (o.startsWith(prefix)) return Integer.parseInt(o.substring(prefix.length()));
        return 0;
    }

    /**
     * As util-linux {@code findmnt -o PROPAGATION} prints it: "shared" or "private", then ",slave"
     * for a mount that receives from a master, then ",unbindable" (so a plain slave reads
     * "private,slave").
     */
    public String propagation() {
        StringBuilder p = new StringBuilder(peerGroup() != 0 ? "shared" : "private");
        if (masterGroup() != 0) p.append(",slave");
        if (optionalFields.contains("unbindable")) p.append(",unbindable");
        return p.toString();
    }

    /** The mount whose mount point is {@code path} (the last one mounted there, which is the visible one). */
    public static MountInfo at(List<MountInfo> mounts, String path) {
        MountInfo found = null;
        for (MountInfo m : mounts) if (m.mountPoint().equals(path)) found = m;
        return found;
    }

    /** The mounts as a tree, children under their parent, like findmnt's default view. */
    public static String tree(List<MountInfo> mounts) {
        Map<Integer, List<MountInfo>> children = new LinkedHashMap<>();
        Map<Integer, MountInfo> byId = new LinkedHashMap<>();
        for (MountInfo m : mounts) byId.put(m.id(), m);
        List<MountInfo> roots = new ArrayList<>();
        for (MountInfo m : mounts) {
            if (byId.containsKey(m.parentId()) && m.parentId() != m.id()) children.computeIfAbsent(m.parentId(), k -> new ArrayList<>()).add(m);
            else roots.add(m);
        }
        StringBuilder sb = new StringBuilder();
        for (MountInfo r : roots) render(r, "", "", children, sb);
        return sb.toString();
    }

    private static void render(MountInfo m, String lead, String childLead, Map<Integer, List<MountInfo>> children, StringBuilder sb) {
        sb.append(lead).append(m.mountPoint()).append("  ").append(m.fsType()).append("  ").append(m.propagation()).append('\n');
        List<MountInfo> kids = children.getOrDefault(m.id(), List.of());
        for (int i = 0; i < kids.size(); i++) {
            boolean last = i == kids.size() - 1;
            render(kids.get(i), childLead + (last ? "└─" : "├─"), childLead + (last ? "  " : "│ "), children, sb);
        }
    }
}
