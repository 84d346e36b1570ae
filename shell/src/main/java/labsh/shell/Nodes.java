package labsh.shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import labsh.dsl.Node;

/**
 * What exists now, by name: every {@link Node} among the shell's values (variables, lists and
 * maps of them, lines' results), whose process is still alive, plus {@code host} (this labsh
 * process). Mininet's CLI looks names up the same way; what a node <em>is</em> is then read from
 * the kernel through its pid.
 */
final class Nodes {
    /** The name of labsh's own process, the host side of every picture. */
    static final String HOST = "host";

    private final Supplier<Collection<Object>> values;

    Nodes(Supplier<Collection<Object>> values) { this.values = values; }

    /** Name to node, for the nodes whose process is alive; the first of two with one name wins. */
    Map<String, Node> live() {
        Map<String, Node> byName = new LinkedHashMap<>();
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<Object> todo = new ArrayList<>(values.get());
        while (!todo.isEmpty()) {
            Object v = todo.remove(0);
            if (v == null || seen.put(v, true) != null) continue;
            if (v instanceof Node n) {
                if (n.getName() != null && n.getPid() > 0 && alive(n.getPid())) byName.putIfAbsent(n.getName(), n);
            } else if (v instanceof Collection<?> c) {
                todo.addAll(c);
            } else if (v instanceof Map<?, ?> m) {
                todo.addAll(m.values());
            } else if (v instanceof Object[] a) {
                todo.addAll(List.of(a));
            }
        }
        return byName;
    }

    /** The pid behind a name typed by the user: a node's name, {@code host}, or a pid itself. */
    int pidOf(String nameOrPid) {
        if (HOST.equals(nameOrPid)) return self();
        Node n = live().get(nameOrPid);
        if (n != null) return n.getPid();
        if (nameOrPid.matches("\\d+") && alive(Integer.parseInt(nameOrPid))) return Integer.parseInt(nameOrPid);
        String known = String.join(", ", live().keySet());
        String hint = labsh.dsl.Suggest.closest(nameOrPid, live().keySet());
        throw new IllegalArgumentException("no node '" + nameOrPid + "'" + (hint != null ? " — did you mean '" + hint + "'?" : "")
                + " (nodes now: " + (known.isEmpty() ? "none but host" : known + ", host") + ")");
    }

    static int self() { return (int) ProcessHandle.current().pid(); }

    static boolean alive(int pid) { return Files.isDirectory(Path.of("/proc/" + pid)); }
}
