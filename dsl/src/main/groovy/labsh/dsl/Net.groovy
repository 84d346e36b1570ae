package labsh.dsl

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.NsType
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import labsh.runtime.net.Cidr
import labsh.runtime.net.NetNs

/**
 * Probes between containers, and the kernel's view of a container's network, all read from the
 * kernel (never from labsh's own records): interfaces from /proc/PID/net/dev, addresses from
 * {@code ip -o -4 addr} run in its network namespace, listening sockets from /proc/PID/net/tcp.
 */
class Net {
    private Net() {}

    /** The namespace a container's init is in. */
    static NetNs netns(Container c) { NetNs.of(c.pid) }

    /** Its interfaces (/proc/PID/net/dev), in the kernel's order. */
    static List<String> interfaces(Container c) { netns(c).interfaces() }

    /** Its IPv4 addresses, "eth0 10.200.1.1/24" ({@code ip -o -4 addr} in its namespace). */
    static List<String> addresses(Container c) { netns(c).addresses() }

    /**
     * The address of {@code to} that {@code from} can reach directly: the first of {@code to}'s
     * addresses that is in a subnet {@code from} also has an address in (a link or network
     * between them), found from both namespaces' addresses as the kernel lists them.
     */
    static String addressToward(Container from, Container to) {
        List<Cidr> mine = cidrs(from)
        Cidr theirs = cidrs(to).find { Cidr t -> mine.any { it.sameSubnet(t) } }
        if (theirs == null) throw new LabException("${from.name} has no link to ${to.name}: no address of ${to.name} is in a subnet of ${from.name} (link them first)")
        theirs.ip()
    }

    private static List<Cidr> cidrs(Container c) {
        addresses(c).findAll { !it.startsWith('lo ') }.collect { Cidr.parse(it.split(' ')[1]) }
    }

    /** {@code ping -c 1 -W 2 ADDRESS} inside {@code from} (busybox's ping), to {@code to}'s address on their link. */
    static NetProbe ping(Container from, Container to) {
        String address = addressToward(from, to)
        NativeStage.Result r = from.run("ping -c 1 -W 2 ${address}")
        new NetProbe(from: from, to: to, address: address, status: r.exitCode(), output: r.output())
    }

    /**
     * A TCP echo: busybox {@code nc -l -p PORT -e cat} in {@code to} (it sends back what it reads,
     * for one connection), and {@code echo MESSAGE | nc ADDRESS PORT} in {@code from}. Waits for
     * the listening socket in /proc/PID/net/tcp of {@code to} before connecting.
     */
    static NetProbe tcpEcho(Container from, Container to, int port, String message) {
        String address = addressToward(from, to)
        NsProcess server = NativeStage.start(to.entry(['nc', '-l', '-p', "${port}".toString(), '-e', 'cat']).build())
        try {
            waitForListener(to, port, server)
            String quoted = "'" + message.replace("'", "'\\''") + "'"
            NativeStage.Result r = from.run("echo ${quoted} | nc -w 2 ${address} ${port}")
            new NetProbe(from: from, to: to, address: "${address}:${port}", status: r.exitCode(), output: r.output())
        } finally {
            server.close()
        }
    }

    /**
     * True when a socket in {@code c}'s namespace listens on TCP {@code port}: /proc/PID/net/tcp
     * and tcp6 (busybox nc listens on :: when IPv6 is there, which takes IPv4 too), state 0A = LISTEN.
     */
    static boolean listening(Container c, int port) {
        String hexPort = String.format(':%04X', port)
        ['tcp', 'tcp6'].any { String table ->
            Files.readAllLines(Path.of("/proc/${c.pid}/net/${table}")).drop(1).any { String l ->
                String[] f = l.trim().split(/\s+/)
                f[1].endsWith(hexPort) && f[3] == '0A'
            }
        }
    }

    private static void waitForListener(Container c, int port, NsProcess server) {
        long deadline = System.nanoTime() + 5_000_000_000L
        while (!listening(c, port)) {
            if (!server.alive) throw new LabException("nc -l -p ${port} in ${c.name} exited at once (port in use?)")
            if (System.nanoTime() > deadline) throw new LabException("nothing listens on port ${port} in ${c.name} after 5 s")
            Thread.sleep(10)
        }
    }

    /** The host's interfaces (/proc/PID/net/dev of labsh itself). */
    static List<String> hostInterfaces() { NetNs.host().interfaces() }

    /** True when {@code c} has a network namespace of its own (its /proc/PID/ns/net differs from labsh's). */
    static boolean ownNetwork(Container c) { c.namespaces()[NsType.NET] != NetNs.host().inode() }
}
