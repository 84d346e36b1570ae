package labsh.runtime;

/**
 * An {@code unreachable} route on the host, so that the host answers EHOSTUNREACH at once for a
 * subnet that only exists behind a VM's user-mode NAT (qemu's 10.0.2.0/24). Without it a
 * connect() to the VM's address would leave the machine through the default gateway; with it no
 * packet is sent, which is also exactly what a host without a route to its guest sees.
 *
 * <p>Routes are netlink objects; labsh asks iproute2's {@code ip} for them rather than speaking
 * rtnetlink itself, and records each in the ledger first (kind {@code route}).
 */
public final class HostRoute implements AutoCloseable {
    private final String destination;
    private final Ledger.Entry entry;

    private HostRoute(String destination, Ledger.Entry entry) {
        this.destination = destination;
        this.entry = entry;
    }

    /** Adds {@code unreachable DESTINATION}; reuses nothing: an existing identical route is an error. */
    public static HostRoute unreachable(String destination) {
        Ledger.Entry e = Ledger.current().intend("route", "type", "unreachable", "dest", destination);
        try {
            ip("route", "add", "unreachable", destination);
        } catch (RuntimeException ex) {
            e.removed();
            throw ex;
        }
        e.created();
        return new HostRoute(destination, e);
    }

    public String destination() { return destination; }

    /** True while the kernel's routing table holds the route (read back with {@code ip route show}). */
    public static boolean exists(String destination) {
        return !ip("route", "show", "type", "unreachable", destination).isBlank();
    }

    static void remove(java.util.Map<String, String> fields) {
        String dest = fields.get("dest");
        if (dest != null && exists(dest)) ip("route", "del", "unreachable", dest);
    }

    @Override
    public void close() {
        remove(entry.fields());
        entry.removed();
    }

    private static String ip(String... args) {
        return labsh.runtime.net.Ip.host(args);
    }
}
