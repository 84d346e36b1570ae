package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.LabResult
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * labs/container-network.groovy (seed 004, 6.1), held after each step (StepGate) while this spec
 * reads the kernel's view with the reference tools: /proc/PID/ns/net, and iproute2 run in each
 * container's network namespace by nsenter(1). The last feature checks, after the lab, that no
 * veth, bridge, container or ledger entry is left.
 */
// Containers, veths and bridges need CAP_SYS_ADMIN and CAP_NET_ADMIN: root.
@Requires({ Privilege.isRoot() })
@Stepwise
class ContainerNetworkLabSpec extends Specification {
    @Shared StepGate gate
    @Shared String hostLinksBefore
    @Shared Map<String, Integer> pids = [:]

    def setupSpec() {
        hostLinksBefore = hostLinks()
        gate = new StepGate(Path.of(System.getProperty('labsh.labs', '.'), 'container-network.groovy'))
    }

    def cleanupSpec() {
        gate?.finish()
    }

    private static String sh(List<String> cmd) {
        def p = cmd.execute()
        def out = p.text
        p.waitFor()
        out
    }

    /** ip ARGS in the network namespace of pid, through util-linux nsenter. */
    private static String ipIn(int pid, String... args) { sh(['nsenter', '-t', "$pid".toString(), '-n', 'ip'] + args.toList()) }

    private static List<String> linksIn(int pid) {
        ipIn(pid, '-o', 'link', 'show').readLines().collect { it.split(': ')[1].replaceAll('@.*', '') }
    }

    private static String hostLinks() { sh(['ip', '-o', 'link', 'show']).readLines().collect { it.split(': ')[1] }.sort().join(' ') }

    private static String netns(int pid) { Files.readSymbolicLink(Path.of("/proc/$pid/ns/net")).toString() }

    def "step 1: two containers, each in a network namespace of its own with only lo"() {
        expect:
        gate.awaitStep(1)

        when:
        pids.c1 = gate.pidOf('net-c1')
        pids.c2 = gate.pidOf('net-c2')

        then:
        netns(pids.c1) != netns((int) ProcessHandle.current().pid())
        netns(pids.c2) != netns((int) ProcessHandle.current().pid())
        netns(pids.c1) != netns(pids.c2)
        linksIn(pids.c1) == ['lo']
        linksIn(pids.c2) == ['lo']

        cleanup:
        gate.release()
    }

    def "step 2: a veth pair, eth0 in each, with 10.200.1.1/24 and 10.200.1.2/24, up; nothing on the host"() {
        expect:
        gate.awaitStep(2)
        ipIn(pids.c1, '-o', '-4', 'addr', 'show', 'dev', 'eth0').contains('inet 10.200.1.1/24')
        ipIn(pids.c2, '-o', '-4', 'addr', 'show', 'dev', 'eth0').contains('inet 10.200.1.2/24')
        ipIn(pids.c1, '-d', 'link', 'show', 'dev', 'eth0').contains('veth')
        ipIn(pids.c1, '-o', 'link', 'show', 'dev', 'eth0').contains('state UP')
        ipIn(pids.c2, '-o', 'link', 'show', 'dev', 'eth0').contains('state UP')
        hostLinks() == hostLinksBefore

        cleanup:
        gate.release()
    }

    /** Packets sent and received on an interface of pid's namespace: /proc/PID/net/dev, fields 2 and 10. */
    private static Map<String, Long> packets(int pid, String dev) {
        String[] f = Files.readAllLines(Path.of("/proc/$pid/net/dev")).find { it.trim().startsWith(dev + ':') }.split(':')[1].trim().split(/\s+/)
        [rx: f[1] as long, tx: f[9] as long]
    }

    def "step 3: the ping's reply was printed, and the kernel counted packets both ways on c1's eth0"() {
        expect:
        gate.awaitStep(3)
        gate.output =~ /64 bytes from 10\.200\.1\.2/
        packets(pids.c1, 'eth0').tx >= 1
        packets(pids.c1, 'eth0').rx >= 1

        cleanup:
        gate.release()
    }

    def "step 4: the echo came back, and nc no longer listens in c2 (/proc/PID/net/tcp, tcp6)"() {
        expect:
        gate.awaitStep(4)
        gate.output.contains('(10.200.1.2:7000): ok: hello from c1 over TCP')
        ['tcp', 'tcp6'].every { t -> Files.readAllLines(Path.of("/proc/${pids.c2}/net/$t")).drop(1).every { !(it =~ /:1B58 .* 0A /) } }

        cleanup:
        gate.release()
    }

    def "step 5: a bridge with three ports in a namespace of its own; c3 has 10.200.2.3/24"() {
        expect:
        gate.awaitStep(5)

        when:
        pids.c3 = gate.pidOf('net-c3')
        int hub = (gate.output =~ /bridge br-lan in the namespace of pid (\d+)/)[0][1] as int

        then:
        ipIn(hub, '-o', 'link', 'show', 'type', 'bridge').contains('br-lan')
        ipIn(hub, '-o', 'link', 'show', 'master', 'br-lan').readLines().size() == 3
        netns(hub) != netns((int) ProcessHandle.current().pid())
        ipIn(pids.c3, '-o', '-4', 'addr', 'show', 'dev', 'eth0').contains('inet 10.200.2.3/24')
        ipIn(pids.c1, '-o', '-4', 'addr', 'show', 'dev', 'eth1').contains('inet 10.200.2.1/24')
        hostLinks() == hostLinksBefore

        cleanup:
        gate.release()
    }

    def "step 6: the links are gone: each container has lo only"() {
        expect:
        gate.awaitStep(6)
        [pids.c1, pids.c2, pids.c3].every { linksIn(it) == ['lo'] }

        cleanup:
        gate.release()
    }

    def "step 7 and after: the lab passed; no container, veth, bridge, mount or ledger entry is left"() {
        when:
        LabResult r = gate.finish()

        then:
        r.ok
        r.lab.steps.size() == 7
        [pids.c1, pids.c2, pids.c3].every { !Files.exists(Path.of("/proc/$it")) }
        hostLinks() == hostLinksBefore
        !Files.readString(Path.of('/proc/self/mountinfo')).contains('/containers/net-c')
        Ledger.current().openEntries().isEmpty()
    }
}
