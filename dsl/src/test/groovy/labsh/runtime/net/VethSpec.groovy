package labsh.runtime.net

import labsh.kernel.NsType
import labsh.kernel.Privilege
import labsh.runtime.LaunchSpec
import labsh.runtime.Ledger
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import spock.lang.Requires
import spock.lang.Specification

/**
 * Veth pairs and a bridge between processes that each have their own network namespace (started
 * by the native stage), checked with iproute2 through nsenter(1) — the reference tools, not labsh.
 */
// New network namespaces and veths need CAP_SYS_ADMIN and CAP_NET_ADMIN: root.
@Requires({ Privilege.isRoot() })
class VethSpec extends Specification {
    List<AutoCloseable> opened = []

    def cleanup() {
        opened.reverse().each { it.close() }
    }

    private NetNs netns() {
        NsProcess p = NativeStage.start(LaunchSpec.command('sleep', '60').namespaces(NsType.NET).build())
        opened << p
        NetNs.of(p.pid())
    }

    private static String nsenter(NetNs ns, String... cmd) {
        def p = (['nsenter', '-t', "${ns.pid()}".toString(), '-n'] + cmd.toList()).execute()
        def out = p.text
        p.waitFor()
        out
    }

    private static List<String> hostLinks() {
        'ip -o link show'.execute().text.readLines().collect { it.split(': ')[1].replaceAll('@.*', '') }
    }

    private static List<String> links(NetNs ns) {
        nsenter(ns, 'ip', '-o', 'link', 'show').readLines().collect { it.split(': ')[1].replaceAll('@.*', '') }
    }

    def "a pair joins two namespaces: each end is in its own, with its address, up, and ping crosses it"() {
        given:
        def a = netns()
        def b = netns()

        List<String> hostBefore = hostLinks()

        when:
        def v = Veth.create('a-b', new Veth.End(a, 'eth0', Cidr.parse('10.200.1.1/24')), new Veth.End(b, 'eth0', Cidr.parse('10.200.1.2/24')))
        opened << v

        then: 'iproute2 inside each namespace sees one end, with its address, up'
        links(a) == ['lo', 'eth0']
        links(b) == ['lo', 'eth0']
        nsenter(a, 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0').contains('inet 10.200.1.1/24')
        nsenter(b, 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0').contains('inet 10.200.1.2/24')
        nsenter(a, 'ip', '-o', 'link', 'show', 'dev', 'eth0').contains('state UP')
        and: 'the host has neither end'
        hostLinks() == hostBefore
        !'ip -o -4 addr show'.execute().text.contains('10.200.1.')
        and: 'a packet crosses: busybox ping from a to b'
        nsenter(a, 'busybox', 'ping', '-c', '1', '-W', '2', '10.200.1.2').contains('1 packets received')
        and: 'NetNs reads the same from /proc/PID/net/dev and ip'
        a.interfaces().sort() == ['eth0', 'lo']
        a.addresses() == ['lo 127.0.0.1/8', 'eth0 10.200.1.1/24']
    }

    def "closing the pair deletes both ends; the ledger entry is closed"() {
        given:
        def a = netns()
        def b = netns()
        def v = Veth.create('a-b', new Veth.End(a, 'eth0', Cidr.parse('10.200.2.1/24')), new Veth.End(b, 'eth0', Cidr.parse('10.200.2.2/24')))

        when:
        v.close()

        then:
        links(a) == ['lo']
        links(b) == ['lo']
        Ledger.current().openEntries().every { it.kind() != 'veth' }
    }

    def "the remover accepts an end that died with its namespace"() {
        given:
        def pa = NativeStage.start(LaunchSpec.command('sleep', '60').namespaces(NsType.NET).build())
        def a = NetNs.of(pa.pid())
        def b = netns()
        def v = Veth.create('a-b', new Veth.End(a, 'eth1', Cidr.parse('10.200.3.1/24')), new Veth.End(b, 'eth1', Cidr.parse('10.200.3.2/24')))

        when: 'the namespace holding one end ends: its veth goes with it, and so does the peer'
        pa.close()
        v.close()

        then:
        notThrown(Exception)
        links(b) == ['lo']
    }

    def "a name already taken in a namespace is refused before anything is made"() {
        given:
        def a = netns()
        def b = netns()
        opened << Veth.create('one', new Veth.End(a, 'eth0', Cidr.parse('10.200.4.1/24')), new Veth.End(b, 'eth0', Cidr.parse('10.200.4.2/24')))

        when:
        Veth.create('two', new Veth.End(a, 'eth0', Cidr.parse('10.200.5.1/24')), new Veth.End(b, 'eth1', Cidr.parse('10.200.5.2/24')))

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "the network namespace of pid ${a.pid()} already has an interface eth0".toString()
        links(b) == ['lo', 'eth0']
    }

    def "a bridge in its own namespace switches between three members"() {
        given:
        def ms = [netns(), netns(), netns()]

        when:
        def br = Bridge.create('br-lan')
        opened << br
        ms.eachWithIndex { m, i -> br.attach("lan-${i}", m, 'eth0', Cidr.parse("10.200.6.${i + 1}/24"), "p${i}") }

        then: 'its ports, as ip lists them in the hub namespace'
        nsenter(br.namespace(), 'ip', '-o', 'link', 'show', 'master', 'br-lan').readLines().size() == 3
        br.kernelPorts().sort() == ['p0', 'p1', 'p2']
        and: 'the bridge is not on the host'
        !'ip -o link show'.execute().text.contains('br-lan')
        and: 'member 0 reaches members 1 and 2'
        nsenter(ms[0], 'busybox', 'ping', '-c', '1', '-W', '2', '10.200.6.2').contains('1 packets received')
        nsenter(ms[0], 'busybox', 'ping', '-c', '1', '-W', '2', '10.200.6.3').contains('1 packets received')

        when:
        opened.remove(br)
        br.close()

        then: 'the members are left with lo only, and the hub is gone'
        ms.every { links(it) == ['lo'] }
        !br.namespace().isAlive()
    }
}
