package labsh.dsl

import groovy.transform.SelfType
import java.nio.file.Path
import labsh.runtime.Ledger
import labsh.runtime.net.Bridge
import labsh.runtime.net.Cidr
import labsh.runtime.net.SharedFifo
import labsh.runtime.net.Veth

/**
 * The words of seed 004, problem 6 (bonus), parts 1 and 2: network connectivity between
 * containers and a FIFO between them.
 * <pre>
 * Link wire = link c1, c2                                    // veth pair, 10.200.N.1/24 and .2/24
 * link c1, c2, name: 'wire2', addresses: ['10.0.0.1/24', '10.0.0.2/24']
 * c1.ping(c2); tcpEcho from: c1, to: c2, 'hello'              // probes, inside the containers
 * Network lan = network 'lan', c1, c2, c3                    // a bridge for more than two
 * Fifo pipe = fifo 'pipe', between: [c1, c2]                 // at /shared/pipe in both
 * </pre>
 * Addresses: without {@code addresses:}, each link or network gets the next free /24 of
 * 10.200.0.0/16; they exist only inside the containers' own network namespaces, never on the host.
 * Every input is checked before anything is made, so a refused word leaves nothing behind.
 */
@SelfType(LabScript)
trait NetWords {
    private Map<String, Object> netNames = [:]

    /** A veth pair between {@code a} and {@code b}. Options: name (default "A-B"), addresses (two, like ['10.0.0.1/24', '10.0.0.2/24']). */
    Link link(Map options = [:], Container a, Container b) {
        String name = (options.name ?: "${a.name}-${b.name}").toString()
        String what = "link ${a.name}, ${b.name}"
        Set<String> unknown = (options.keySet()*.toString() as Set<String>) - (['name', 'addresses'] as Set<String>)
        if (unknown) throw new LabException("${what}: unknown option ${unknown.join(', ')} (known: name, addresses)")
        if (a.is(b)) throw new LabException("${what}: a link needs two different containers")
        requireFreeName(what, name)
        [a, b].each { Container c -> requireOwnNetwork(what, c) }
        List<Cidr> addrs = options.addresses == null ? [Cidr.auto(freeSubnet(), 1), Cidr.auto(freeSubnet(), 2)] : linkAddresses(what, options.addresses)
        Veth v
        try {
            v = Veth.create(name, new Veth.End(Net.netns(a), Net.netns(a).freeName('eth'), addrs[0]),
                            new Veth.End(Net.netns(b), Net.netns(b).freeName('eth'), addrs[1]))
        } catch (IllegalArgumentException e) {
            throw new LabException("${what}: ${e.message}")
        }
        Link l = new Link(name, a, b, v)
        netNames[name] = l
        say "${l}"
        l
    }

    /** A bridge for two or more containers, each joined by a veth pair; addresses 10.200.N.1, .2, ... in member order. */
    Network network(String name, Container... members) {
        String what = "network ${name}"
        if (!(name ==~ /[a-z0-9][a-z0-9-]{0,11}/)) throw new LabException("${what}: use 1 to 12 lower-case letters, digits or '-' (it names the bridge, br-NAME)")
        if (members.length < 2) throw new LabException("${what}: needs at least two containers")
        if ((members as List).unique(false) { it.name }.size() != members.length) throw new LabException("${what}: a container is listed twice")
        if (members.length > 253) throw new LabException("${what}: a /24 has room for 253 members")
        requireFreeName(what, name)
        members.each { Container c -> requireOwnNetwork(what, c) }
        int subnet = freeSubnet()
        Network n = new Network(name, Bridge.create("br-${name}".toString()))
        netNames[name] = n // before the members: a failure half-way still finds it at the end
        try {
            members.eachWithIndex { Container c, int i ->
                String port = "p${i}-${c.name}".take(15)
                n.members[c] = n.bridge.attach("${name}:${c.name}".toString(), Net.netns(c), Net.netns(c).freeName('eth'), Cidr.auto(subnet, i + 1), port)
            }
        } catch (RuntimeException e) {
            netNames.remove(name)
            n.remove()
            throw e
        }
        say "${n}"
        n
    }

    /**
     * A FIFO named {@code name} shared by containers: made in a fresh host directory and bind-mounted
     * at {@code at} (default /shared) in each. Options: between (the containers), at.
     */
    Fifo fifo(Map options, String name) {
        String what = "fifo ${name}"
        Set<String> unknown = (options.keySet()*.toString() as Set<String>) - (['between', 'at'] as Set<String>)
        if (unknown) throw new LabException("${what}: unknown option ${unknown.join(', ')} (known: between, at)")
        if (!(options.between instanceof List) || (options.between as List).size() < 2 || !(options.between as List).every { it instanceof Container }) {
            throw new LabException("${what}: between: must list two or more containers, like between: [c1, c2]")
        }
        List<Container> between = options.between as List<Container>
        String at = (options.at ?: '/shared').toString()
        if (!(at ==~ /(\/[A-Za-z0-9._-]+)+/) || at.split('/').any { it == '..' }) throw new LabException("${what}: at: '${at}' must be an absolute path inside the container, like /shared")
        requireFreeName(what, name)
        between.each { Container c ->
            if (!c.running) throw new LabException("${what}: container ${c.name} is not running")
            if (!c.writable && !java.nio.file.Files.isDirectory(c.root.resolve(at.substring(1)))) {
                throw new LabException("${what}: container ${c.name} is read-only and has no ${at}: start it with writable: true, or give at: an existing directory")
            }
        }
        Path dir = Ledger.stateDir().resolve('fifos').resolve("${ProcessHandle.current().pid()}-${name}").toAbsolutePath()
        SharedFifo shared
        try {
            shared = SharedFifo.create(name, dir)
        } catch (IllegalArgumentException e) {
            throw new LabException("${what}: ${e.message}")
        }
        try {
            between.each { Container c -> shared.bindInto(c.pid, at) }
        } catch (RuntimeException e) {
            shared.close()
            throw e
        }
        Fifo f = new Fifo(shared, at, between)
        netNames[name] = f
        say "${f}"
        f
    }

    /** A TCP echo from one container to another (busybox nc on both sides). Options: from, to, port (default 7000). */
    NetProbe tcpEcho(Map options, String message) {
        Container from = options.from as Container, to = options.to as Container
        if (from == null || to == null) throw new LabException("tcpEcho: name both containers, like tcpEcho from: c1, to: c2, 'hello'")
        int port = options.port == null ? 7000 : options.port as int
        if (port < 1 || port > 65535) throw new LabException("tcpEcho: port ${port} is not a TCP port (1-65535)")
        NetProbe p = Net.tcpEcho(from, to, port, message)
        say "${p}: ${p.output.trim()}"
        p
    }

    /** The interfaces of a container as the kernel lists them (/proc/PID/net/dev). */
    List<String> interfaces(Container c) { Net.interfaces(c) }

    /** The IPv4 addresses of a container, "eth0 10.200.1.1/24" (ip -o -4 addr in its network namespace). */
    List<String> addresses(Container c) { Net.addresses(c) }

    /** The host's interfaces (/proc/self/net/dev): where a leaked veth or bridge would show. */
    List<String> hostInterfaces() { Net.hostInterfaces() }

    /** The inode of labsh's own network namespace, the host's (/proc/self/ns/net). */
    long hostNetNamespace() { labsh.runtime.net.NetNs.host().inode() }

    /** True when {@code p} is a FIFO (S_IFIFO in stat(2)'s st_mode). */
    boolean isFifo(Path p) { Fifo.isFifo(p) }

    /** stat(2)'s inode number of {@code p}. */
    long inodeOf(Path p) { Fifo.inodeOf(p) }

    private void requireFreeName(String what, String name) {
        if (netNames.containsKey(name)) throw new LabException("${what}: the name '${name}' is taken by ${netNames[name]} (give name: another)")
    }

    private static void requireOwnNetwork(String what, Container c) {
        if (!c.running) throw new LabException("${what}: container ${c.name} is not running")
        if (!Net.ownNetwork(c)) throw new LabException("${what}: container ${c.name} shares the host's network namespace (start it with net among its namespaces)")
    }

    private static List<Cidr> linkAddresses(String what, Object given) {
        if (!(given instanceof List) || (given as List).size() != 2) throw new LabException("${what}: addresses: give two, like ['10.0.0.1/24', '10.0.0.2/24']")
        List<Cidr> c
        try {
            c = (given as List).collect { Cidr.parse(it?.toString()) }
        } catch (IllegalArgumentException e) {
            throw new LabException("${what}: ${e.message}")
        }
        if (!c[0].sameSubnet(c[1])) throw new LabException("${what}: ${c[0]} and ${c[1]} are not in one subnet: the two ends could not reach each other")
        if (c[0].address() == c[1].address()) throw new LabException("${what}: both ends would have ${c[0].ip()}")
        c
    }

    /** The first N whose 10.200.N.0/24 no link or network of this lab uses. */
    private int freeSubnet() {
        Set<Integer> used = [] as Set
        netNames.values().each { Object o ->
            if (o instanceof Link) used << (((Link) o).veth.a().address().network() >>> 8 & 255)
            if (o instanceof Network) ((Network) o).members.values().each { Veth v -> used << (v.a().address().network() >>> 8 & 255) }
        }
        (1..254).find { !used.contains(it) } as int
    }
}
