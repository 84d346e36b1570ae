package labsh.labs

import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabRunner
import labsh.kernel.Privilege
import labsh.kernel.SysvIpcTable
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/** labs/ex5-shm.groovy: seed 002's question 3, shown by the kernel. */
// Containers and setns(2) need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
class Ex5ShmLabSpec extends Specification {
    def "a segment in a container's IPC namespace is unreachable from the host, reachable from a thread joined to it"() {
        given:
        def before = SysvIpcTable.sharedMemory()*.id as Set

        when:
        def r = LabRunner.run(Path.of(System.getProperty('labsh.labs', '.'), 'ex5-shm.groovy'), new LabOptions(out: System.out, err: System.err))

        then: 'each step passed its checks'
        r.ok
        r.steps*.status*.name() == ['PASS', 'PASS', 'PASS']
        r.output.contains('Messages: from_the_socket\n')
        r.output.contains('Messages: from_the_segment from_the_socket\n')

        and: 'nothing is left'
        (SysvIpcTable.sharedMemory()*.id as Set) - before == [] as Set
        Ledger.current().openEntries().isEmpty()
    }
}
