package labsh.labs

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import labsh.dsl.LabResult
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * labs/container-fifo.groovy (seed 004, 6.2), held after each step (StepGate) while this spec
 * reads the kernel's view: /proc/PID/ns/mnt, /proc/PID/mountinfo, and stat(2) of the FIFO through
 * /proc/PID/root. The last feature checks that no FIFO, directory, mount or ledger entry is left.
 */
// Containers and mounts need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
@Stepwise
class ContainerFifoLabSpec extends Specification {
    @Shared StepGate gate
    @Shared Map<String, Integer> pids = [:]
    @Shared Path hostFifo

    def setupSpec() {
        gate = new StepGate(Path.of(System.getProperty('labsh.labs', '.'), 'container-fifo.groovy'))
    }

    def cleanupSpec() {
        gate?.finish()
    }

    private static List<String> mountPoints(int pid) {
        Files.readAllLines(Path.of("/proc/$pid/mountinfo")).collect { it.split(' ')[4] }
    }

    private static long inode(Path p) { Files.getAttribute(p, 'unix:ino', LinkOption.NOFOLLOW_LINKS) as long }

    def "step 1: two containers in two mount namespaces"() {
        expect:
        gate.awaitStep(1)

        when:
        pids.c1 = gate.pidOf('fifo-c1')
        pids.c2 = gate.pidOf('fifo-c2')

        then:
        Files.readSymbolicLink(Path.of("/proc/${pids.c1}/ns/mnt")) != Files.readSymbolicLink(Path.of("/proc/${pids.c2}/ns/mnt"))
        !mountPoints(pids.c1).contains('/shared')

        cleanup:
        gate.release()
    }

    def "step 2: one FIFO inode on the host and at /shared/pipe in both containers, a bind mount in each mountinfo"() {
        expect:
        gate.awaitStep(2)

        when:
        hostFifo = Path.of((gate.output =~ /fifo pipe: (\S+) at/)[0][1] as String)

        then: 'a FIFO on the host (stat: S_IFIFO)'
        ((Files.getAttribute(hostFifo, 'unix:mode', LinkOption.NOFOLLOW_LINKS) as int) & 0170000) == 0010000
        and: 'the same inode through each container\'s root'
        inode(Path.of("/proc/${pids.c1}/root/shared/pipe")) == inode(hostFifo)
        inode(Path.of("/proc/${pids.c2}/root/shared/pipe")) == inode(hostFifo)
        and: 'a mount at /shared in each, whose root is the FIFO\'s host directory'
        [pids.c1, pids.c2].every { pid ->
            Files.readAllLines(Path.of("/proc/$pid/mountinfo")).any { l -> l.split(' ')[4] == '/shared' && l.split(' ')[3] == hostFifo.parent.toString() }
        }
        and: 'none on the host'
        !mountPoints((int) ProcessHandle.current().pid()).contains('/shared')

        cleanup:
        gate.release()
    }

    def "step 3: the line written in c1 was read in c2, and no reader is left in c2"() {
        expect:
        gate.awaitStep(3)
        gate.output.contains('✓ c2 read the line')
        ProcessHandle.of(pids.c2).get().descendants().noneMatch { it.info().command().orElse('').endsWith('cat') }

        cleanup:
        gate.release()
    }

    def "step 4: the FIFO and its directory are gone from the host, the binds from both containers"() {
        expect:
        gate.awaitStep(4)
        !Files.exists(hostFifo, LinkOption.NOFOLLOW_LINKS)
        !Files.exists(hostFifo.parent)
        !mountPoints(pids.c1).contains('/shared')
        !mountPoints(pids.c2).contains('/shared')

        cleanup:
        gate.release()
    }

    def "step 5 and after: the lab passed; no container, FIFO, mount or ledger entry is left"() {
        when:
        LabResult r = gate.finish()

        then:
        r.ok
        r.lab.steps.size() == 5
        [pids.c1, pids.c2].every { !Files.exists(Path.of("/proc/$it")) }
        !Files.exists(hostFifo.parent)
        !Files.readString(Path.of('/proc/self/mountinfo')).contains('/containers/fifo-c')
        Ledger.current().openEntries().isEmpty()
    }
}
