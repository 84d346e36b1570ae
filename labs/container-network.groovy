// Seed 004, problem 6 (bonus), part 1: "Extend functionality to include network setup. Run 2
// containers and demonstrate an example of network connectivity." Two containers, each with its
// own network namespace, joined by a veth pair; a ping and a TCP echo between them; then a bridge
// for three. Everything lives inside the containers' namespaces (and the bridge's own): the host's
// interfaces never change.
import labsh.kernel.NsType

lab 'seed 004, 6.1: network connectivity between containers'

Container c1, c2, c3
Link wire
Network lan
List<String> hostBefore = hostInterfaces()

step('start two containers, each with its own network namespace') {
    c1 = container 'net-c1'
    c2 = container 'net-c2'
    check('c1 and c2 are in two network namespaces, neither the host\'s (/proc/PID/ns/net)') {
        [c1, c2].every { it.namespaces()[NsType.NET] != hostNetNamespace() } && c1.namespaces()[NsType.NET] != c2.namespaces()[NsType.NET]
    }
    check('each has only lo (/proc/PID/net/dev)') { interfaces(c1) == ['lo'] && interfaces(c2) == ['lo'] }
}

step('link c1 and c2 with a veth pair') {
    say 'ip link add eth0 netns PID1 type veth peer name eth0 netns PID2; then an address and "up" on each end.'
    wire = link c1, c2
    check('c1 has eth0 10.200.1.1/24 (ip -o -4 addr in its namespace)') { addresses(c1).contains('eth0 10.200.1.1/24') }
    check('c2 has eth0 10.200.1.2/24') { addresses(c2).contains('eth0 10.200.1.2/24') }
    check('the host has no new interface (/proc/self/net/dev)') { hostInterfaces() == hostBefore }
}

step('ping c2 from c1') {
    NetProbe p = c1.ping(c2)
    say p.output.readLines().find { it.contains('bytes from') } ?: p.output
    check('one echo reply came back') { p.ok && p.output.contains('1 packets received') }
}

step('a TCP echo from c1 to c2') {
    say 'busybox nc -l -p 7000 -e cat in c2 (it sends back what it reads); echo ... | nc 10.200.1.2 7000 in c1.'
    NetProbe p = tcpEcho from: c1, to: c2, 'hello from c1 over TCP'
    check('c1 got its line back') { p.ok && p.output == 'hello from c1 over TCP\n' }
}

step('three containers on a bridge') {
    say 'A Linux bridge in a network namespace of its own; each container joins it with a veth pair.'
    c3 = container 'net-c3'
    lan = network 'lan', c1, c2, c3
    check('the bridge has three ports (ip link show master br-lan in its namespace)') { lan.ports().size() == 3 }
    check('c3 has eth0 10.200.2.3/24') { addresses(c3).contains('eth0 10.200.2.3/24') }
    check('c3 reaches c1 and c2 through the bridge') { c3.ping(c1).ok && c3.ping(c2).ok }
    check('the host has no new interface') { hostInterfaces() == hostBefore }
}

step('remove the links') {
    lan.remove()
    wire.remove()
    check('the containers are left with lo only') { [c1, c2, c3].every { interfaces(it) == ['lo'] } }
}

step('stop the containers') {
    [c1, c2, c3].each { it.stop() }
    check('the host\'s interfaces are as before the lab') { hostInterfaces() == hostBefore }
}
