package labsh.runtime.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import labsh.runtime.Ledger;

/**
 * A veth pair (veth(4)): two virtual Ethernet interfaces joined back to back, each end in a
 * network namespace, so that what one sends the other receives. Made with iproute2 in one call
 * that puts each end straight into its namespace,
 * <pre>
 *   ip link add eth0 netns PID_A type veth peer name eth0 netns PID_B
 * </pre>
 * (the same as {@code ip link add ...} on the host followed by {@code ip link set X netns PID}
 * for each end, without the moment where both ends sit on the host). Then each end gets its
 * address and is set up, inside its namespace.
 *
 * <p>Ledger kind {@code veth}, recorded before the {@code ip link add}. Deleting either end
 * deletes the pair; an end in a namespace that died has died with it (network_namespaces(7):
 * a namespace's virtual devices are destroyed with it), so the remover deletes what still exists
 * and accepts "already gone".
 */
public final class Veth implements AutoCloseable {
    /** One end: its namespace, its interface name there, its address (null for a bridge port). */
    public record End(NetNs ns, String name, Cidr address) {}

    private final String link;
    private final End a, b;
    private final Ledger.Entry entry;

    private Veth(String link, End a, End b, Ledger.Entry entry) {
        this.link = link;
        this.a = a;
        this.b = b;
        this.entry = entry;
    }

    /** Creates the pair, addresses each end that has an address, and sets both up (and lo, for ping to self). */
    public static Veth create(String link, End a, End b) {
        checkName(a.name());
        checkName(b.name());
        List<String> kv = new ArrayList<>(List.of("link", link, "a", a.name(), "b", b.name()));
        kv.addAll(List.of(a.ns().fields("a")));
        kv.addAll(List.of(b.ns().fields("b")));
        for (End end : List.of(a, b)) {
            if (end.ns().interfaces().contains(end.name())) {
                throw new IllegalArgumentException("the network namespace of pid " + end.ns().pid() + " already has an interface " + end.name());
            }
        }
        Ledger.Entry e = Ledger.current().intend("veth", kv.toArray(String[]::new));
        try {
            Ip.host("link", "add", a.name(), "netns", Integer.toString(a.ns().pid()), "type", "veth",
                    "peer", "name", b.name(), "netns", Integer.toString(b.ns().pid()));
        } catch (RuntimeException ex) {
            e.removed(); // ip link add is one netlink request: it failed, nothing was made
            throw ex;
        }
        // "made" tells the remover the names are ours: before it, an interface with that name
        // would be someone else's (a kill -9 between the two lines leaves the pair to die with its namespaces)
        e.created("made", "yes");
        try {
            for (End end : List.of(a, b)) configure(end);
        } catch (RuntimeException ex) {
            try {
                removeRecorded(e.fields());
                e.removed();
            } catch (RuntimeException ignored) {
                // left open in the ledger: the unwind or `labsh clean` tries again
            }
            throw ex;
        }
        return new Veth(link, a, b, e);
    }

    private static void configure(End end) {
        int pid = end.ns().pid();
        if (end.address() != null) Ip.in(pid, "addr", "add", end.address().toString(), "dev", end.name());
        Ip.in(pid, "link", "set", end.name(), "up");
        Ip.in(pid, "link", "set", "lo", "up");
    }

    /** IFNAMSIZ is 16 with the terminating NUL (netdevice(7)); '/', ':' and blanks are refused by the kernel or by ip. */
    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || !name.matches("[A-Za-z0-9._-]+") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' cannot name a network interface: use 1 to 15 letters, digits, '.', '_' or '-'");
        }
    }

    public String link() { return link; }

    public End a() { return a; }

    public End b() { return b; }

    /** The end that is not {@code end}'s. */
    public End peerOf(End end) { return end.equals(a) ? b : a; }

    /** Deletes the pair (from whichever end still exists) and closes the ledger entry. */
    @Override
    public void close() {
        removeRecorded(entry.fields());
        entry.removed();
    }

    /** The ledger's remover: delete the first end that still exists in a live, recorded namespace. */
    public static void removeRecorded(Map<String, String> f) {
        if (!"yes".equals(f.get("made"))) return;
        for (String side : List.of("a", "b")) {
            NetNs ns = NetNs.fromFields(f, side);
            String name = f.get(side);
            if (ns == null || name == null || !ns.isAlive() || !ns.interfaces().contains(name)) continue;
            try {
                Ip.in(ns.pid(), "link", "del", name);
            } catch (RuntimeException e) {
                if (ns.isAlive() && ns.interfaces().contains(name)) throw e; // still there: a real failure
            }
            return; // one end deleted takes the other with it
        }
    }

    @Override
    public String toString() { return link + ": " + a.name() + "@" + a.ns().pid() + " <-> " + b.name() + "@" + b.ns().pid(); }
}
