package labsh.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import labsh.dsl.Node;
import labsh.kernel.MountInfo;
import labsh.kernel.Namespaces;
import labsh.kernel.NsType;

/**
 * A picture of the lab now, all of it read from the kernel: for labsh (the host) and every node,
 * its namespaces (/proc/PID/ns), its mounts (/proc/PID/mountinfo) and network interfaces
 * (/proc/PID/net/dev, which shows the process's network namespace); what connects them is what
 * they share: a namespace inode, or a mount peer group (shared:N / master:N, the way mount
 * propagation joins mounts of different namespaces, mount_namespaces(7)).
 */
final class Picture {
    /** One process of the picture. */
    record Member(String name, int pid, String what, Map<NsType, Long> ns, List<MountInfo> mounts, List<String> interfaces) {}

    /** Two mounts joined by propagation: {@code a} of one member and {@code b} of another. */
    record Link(Member from, MountInfo a, Member to, MountInfo b, int group, String how) {}

    private final List<Member> members;

    private Picture(List<Member> members) { this.members = members; }

    static Picture of(Nodes nodes) {
        List<Member> ms = new ArrayList<>();
        ms.add(member(Nodes.HOST, Nodes.self(), "labsh itself"));
        for (Map.Entry<String, Node> e : nodes.live().entrySet()) {
            ms.add(member(e.getKey(), e.getValue().getPid(), String.valueOf(e.getValue())));
        }
        return new Picture(ms);
    }

    private static Member member(String name, int pid, String what) {
        return new Member(name, pid, what, Namespaces.of(pid), MountInfo.of(pid), interfaces(pid));
    }

    /** The interface names of the process's network namespace (the rows of /proc/PID/net/dev). */
    static List<String> interfaces(int pid) {
        List<String> names = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/net/dev"))) {
                int colon = l.indexOf(':');
                if (colon > 0) names.add(l.substring(0, colon).strip());
            }
        } catch (IOException e) {
            names.add("?");
        }
        return names;
    }

    /** Mounts of {@code m} that the host does not have (by mount point, root and type). */
    List<MountInfo> ownMounts(Member m) {
        Set<String> host = new LinkedHashSet<>();
        for (MountInfo h : members.get(0).mounts) host.add(key(h));
        List<MountInfo> own = new ArrayList<>();
        for (MountInfo x : m.mounts) if (!host.contains(key(x))) own.add(x);
        return own;
    }

    private static String key(MountInfo m) { return m.mountPoint() + " " + m.root() + " " + m.fsType(); }

    /** Mounts of different members in one peer group, or one receiving from the other's group. */
    List<Link> links() {
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            for (int j = 0; j < members.size(); j++) {
                Member a = members.get(i), b = members.get(j);
                if (i == j || a.ns.get(NsType.MNT).equals(b.ns.get(NsType.MNT))) continue;
                for (MountInfo x : a.mounts) {
                    for (MountInfo y : b.mounts) {
                        if (i < j && x.peerGroup() != 0 && x.peerGroup() == y.peerGroup()) {
                            links.add(new Link(a, x, b, y, x.peerGroup(), "⇄ shared"));
                        } else if (x.masterGroup() != 0 && x.masterGroup() == y.peerGroup()) {
                            links.add(new Link(a, x, b, y, x.masterGroup(), "⇠ slave of"));
                        }
                    }
                }
            }
        }
        return links;
    }

    /** The picture as a tree for the terminal. */
    String tree() {
        StringBuilder sb = new StringBuilder();
        Member host = members.get(0);
        sb.append(host.name).append("  pid ").append(host.pid).append("  ").append(host.what).append('\n');
        sb.append("│    ").append(nsList(host, host.ns.keySet())).append('\n');
        sb.append("│    net: ").append(String.join(" ", host.interfaces)).append('\n');
        List<Link> links = links();
        for (int i = 1; i < members.size(); i++) {
            Member m = members.get(i);
            boolean last = i == members.size() - 1;
            String lead = last ? "     " : "│    ";
            sb.append(last ? "└─ " : "├─ ").append(m.name).append("  pid ").append(m.pid).append("  ").append(m.what).append('\n');
            // from the namespaces read when the picture was taken, so that one picture is one moment
            Set<NsType> own = new LinkedHashSet<>(), shared = new LinkedHashSet<>();
            m.ns.forEach((t, inode) -> (inode.equals(host.ns.get(t)) ? shared : own).add(t));
            sb.append(lead).append("own:    ").append(own.isEmpty() ? "none" : nsList(m, own)).append('\n');
            sb.append(lead).append("shares: ").append(shared.isEmpty() ? "none" : KernelViews.names(shared)).append(" with the host\n");
            if (own.contains(NsType.NET)) sb.append(lead).append("net:    ").append(String.join(" ", m.interfaces)).append('\n');
            if (own.contains(NsType.MNT)) {
                List<MountInfo> mine = ownMounts(m);
                sb.append(lead).append("mounts: ").append(m.mounts.size()).append(", ").append(mine.size()).append(" not on the host\n");
                for (MountInfo x : mine) {
                    sb.append(lead).append("  + ").append(x.mountPoint()).append("  ").append(x.fsType()).append("  ").append(x.propagation()).append('\n');
                }
            }
            for (Link l : links) {
                if (l.from == m || l.to == m) {
                    Member other = l.from == m ? l.to : l.from;
                    MountInfo here = l.from == m ? l.a : l.b, there = l.from == m ? l.b : l.a;
                    sb.append(lead).append("link:   ").append(here.mountPoint()).append(' ').append(l.from == m ? l.how : flip(l.how))
                            .append(' ').append(other.name).append(':').append(there.mountPoint()).append(" (peer group ").append(l.group).append(")\n");
                }
            }
        }
        Map<String, List<String>> sharedBetween = sharedNamespaces();
        if (!sharedBetween.isEmpty()) {
            sb.append("shared by nodes (not the host):\n");
            sharedBetween.forEach((ns, who) -> sb.append("  ").append(ns).append("  ").append(String.join(", ", who)).append('\n'));
        }
        return sb.toString();
    }

    private static String flip(String how) { return how.startsWith("⇠") ? "⇢ master of" : how; }

    /** Namespaces that two or more nodes share and the host does not: "ipc:[4026532301]" to node names. */
    Map<String, List<String>> sharedNamespaces() {
        Map<String, List<String>> by = new LinkedHashMap<>();
        Member host = members.get(0);
        for (Member m : members.subList(1, members.size())) {
            m.ns.forEach((t, ino) -> {
                if (!ino.equals(host.ns.get(t))) by.computeIfAbsent(t.procName() + ":[" + ino + "]", k -> new ArrayList<>()).add(m.name);
            });
        }
        by.values().removeIf(l -> l.size() < 2);
        return by;
    }

    private static String nsList(Member m, Set<NsType> types) {
        StringBuilder sb = new StringBuilder();
        for (NsType t : types) sb.append(sb.length() == 0 ? "" : " ").append(t.procName()).append(":[").append(m.ns.get(t)).append(']');
        return sb.toString();
    }

    /** Writes the picture as an HTML page with an SVG: a column per process, a row per namespace type. */
    Path writeHtml(Path file) throws IOException {
        Path target = file.toString().matches(".*\\.(html?|svg)$") ? file : Path.of(file + ".html");
        Files.writeString(target, target.toString().endsWith(".svg") ? svg() : html());
        return target.toAbsolutePath();
    }

    String html() {
        StringBuilder sb = new StringBuilder("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>labsh: the lab now</title>\n"
                + "<style>body{font-family:sans-serif} td,th{padding:2px 8px;text-align:left} pre{background:#f4f4f4;padding:6px}</style></head><body>\n"
                + "<h1>The lab now</h1>\n<p>One column per process, one row per namespace type: one colour is one namespace (same inode).</p>\n");
        sb.append(svg());
        sb.append("<h2>Mounts joined by propagation</h2>\n<table><tr><th>mount</th><th></th><th>mount</th><th>peer group</th></tr>\n");
        for (Link l : links()) {
            sb.append("<tr><td>").append(esc(l.from.name + ":" + l.a.mountPoint())).append("</td><td>").append(esc(l.how))
                    .append("</td><td>").append(esc(l.to.name + ":" + l.b.mountPoint())).append("</td><td>").append(l.group).append("</td></tr>\n");
        }
        sb.append("</table>\n<h2>As a tree</h2>\n<pre>").append(esc(tree())).append("</pre>\n</body></html>\n");
        return sb.toString();
    }

    String svg() {
        NsType[] types = NsType.values();
        int colW = 170, rowH = 34, left = 70, top = 50;
        int w = left + colW * members.size() + 10, h = top + rowH * types.length + 10;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" font-family=\"monospace\" font-size=\"12\">\n");
        for (int c = 0; c < members.size(); c++) {
            Member m = members.get(c);
            int x = left + c * colW;
            sb.append("<text x=\"").append(x + 4).append("\" y=\"20\" font-weight=\"bold\">").append(esc(m.name)).append("</text>\n");
            sb.append("<text x=\"").append(x + 4).append("\" y=\"36\">pid ").append(m.pid).append("</text>\n");
            for (int r = 0; r < types.length; r++) {
                Long ino = m.ns.get(types[r]);
                if (ino == null) continue;
                int y = top + r * rowH;
                sb.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(colW - 8).append("\" height=\"")
                        .append(rowH - 6).append("\" rx=\"4\" fill=\"").append(colour(ino)).append("\"><title>")
                        .append(types[r].procName()).append(":[").append(ino).append("]</title></rect>\n");
                sb.append("<text x=\"").append(x + 6).append("\" y=\"").append(y + 18).append("\">").append(ino).append("</text>\n");
            }
        }
        for (int r = 0; r < types.length; r++) {
            sb.append("<text x=\"4\" y=\"").append(top + r * rowH + 18).append("\">").append(types[r].procName()).append("</text>\n");
        }
        return sb.append("</svg>\n").toString();
    }

    /** One pale colour per inode, the same in every column. */
    private static String colour(long inode) {
        return "hsl(" + Math.floorMod(Long.hashCode(inode * 2654435761L), 360) + ",70%,82%)";
    }

    private static String esc(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }
}
