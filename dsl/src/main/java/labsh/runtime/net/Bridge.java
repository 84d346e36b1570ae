package labsh.runtime.net;

import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import labsh.kernel.NsType;
import labsh.runtime.Ledger;
import labsh.runtime.LaunchSpec;
import labsh.runtime.NativeStage;
import labsh.runtime.NsProcess;

/**
 * A Linux bridge (a software switch) for more than two containers, in a network namespace of its
 * own rather than on the host: the host's firewall and its interfaces never see the lab's
 * traffic, and a {@code kill -9} cannot strand the bridge on the host. The namespace is held by a
 * hub process (a {@code sleep} started by the native stage with only a new network namespace);
 * each member is joined by a veth pair whose other end is a port of the bridge.
 * <pre>
 *   hub netns:  br-lan ── p-c1 ═══ eth0 (c1, 10.200.N.1/24)
 *                     ├── p-c2 ═══ eth0 (c2, 10.200.N.2/24)
 *                     └── p-c3 ═══ eth0 (c3, 10.200.N.3/24)
 * </pre>
 * Ledger kind {@code bridge}; the hub is a {@code process} entry and the pairs are {@code veth}
 * entries, so the unwind removes the pairs, then the bridge, then the hub.
 */
public final class Bridge implements AutoCloseable {
    private final String name;
    private final NsProcess hub;
    private final NetNs hubNs;
    private final Ledger.Entry entry;
    private final List<Veth> ports = new ArrayList<>();

    private Bridge(String name, NsProcess hub, NetNs hubNs, Ledger.Entry entry) {
        this.name = name;
        this.hub = hub;
        this.hubNs = hubNs;
        this.entry = entry;
    }

    /** Starts the hub and makes the bridge {@code name} in its namespace, up. */
    public static Bridge create(String name) {
        Veth.checkName(name);
        NsProcess hub = NativeStage.start(LaunchSpec.command("sleep", "infinity").namespaces(NsType.NET)
                .stdout(Redirect.DISCARD).stderr(Redirect.DISCARD).build());
        Ledger.Entry e = null;
        try {
            NetNs ns = NetNs.of(hub.pid());
            e = Ledger.current().intend("bridge", withName(name, ns.fields("hub")));
            Ip.in(hub.pid(), "link", "add", name, "type", "bridge");
            e.created("made", "yes");
            Ip.in(hub.pid(), "link", "set", name, "up");
            return new Bridge(name, hub, ns, e);
        } catch (RuntimeException ex) {
            if (e != null) e.removed(); // its namespace, and so the bridge, goes with the hub
            hub.close();
            throw ex;
        }
    }

    private static String[] withName(String name, String[] fields) {
        List<String> kv = new ArrayList<>(List.of("name", name));
        kv.addAll(List.of(fields));
        return kv.toArray(String[]::new);
    }

    /**
     * Joins a member: a veth pair from {@code member}'s namespace (interface {@code ifName},
     * address {@code address}) to a port {@code port} of the bridge.
     */
    public Veth attach(String link, NetNs member, String ifName, Cidr address, String port) {
        Veth v = Veth.create(link, new Veth.End(member, ifName, address), new Veth.End(hubNs, port, null));
        try {
            Ip.in(hub.pid(), "link", "set", port, "master", name);
        } catch (RuntimeException ex) {
            v.close();
            throw ex;
        }
        ports.add(v);
        return v;
    }

    public String name() { return name; }

    /** The namespace the bridge lives in (the hub's). */
    public NetNs namespace() { return hubNs; }

    public List<Veth> ports() { return List.copyOf(ports); }

    /** The bridge's ports as the kernel lists them: {@code ip -o link show master NAME} in the hub. */
    public List<String> kernelPorts() {
        List<String> out = new ArrayList<>();
        for (String l : Ip.in(hub.pid(), "-o", "link", "show", "master", name).split("\n")) {
            String[] w = l.split(": ");
            if (w.length > 1) out.add(w[1].replaceAll("@.*", ""));
        }
        return out;
    }

    /** Removes the ports, the bridge and the hub, in that order. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Veth v : ports) {
            try {
                v.close();
            } catch (RuntimeException ex) {
                if (first == null) first = ex;
            }
        }
        try {
            removeRecorded(entry.fields());
            entry.removed();
        } catch (RuntimeException ex) {
            if (first == null) first = ex;
        }
        hub.close();
        if (first != null) throw first;
    }

    /** The ledger's remover: delete the bridge if its hub still holds it (else it went with the namespace). */
    public static void removeRecorded(Map<String, String> f) {
        NetNs ns = NetNs.fromFields(f, "hub");
        String name = f.get("name");
        if (!"yes".equals(f.get("made")) || ns == null || !ns.isAlive() || !ns.interfaces().contains(name)) return;
        Ip.in(ns.pid(), "link", "del", name);
    }
}
