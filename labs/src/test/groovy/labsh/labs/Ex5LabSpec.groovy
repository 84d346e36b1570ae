package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.Privilege
import labsh.kernel.SysvIpcTable
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * labs/ex5.groovy (seed 002), run once as a user runs it; each feature checks one step's outcome,
 * and the last checks from the kernel's view that nothing of the lab is left.
 */
// Containers need CAP_SYS_ADMIN, the route for the VM's subnet CAP_NET_ADMIN: root.
@Requires({ Privilege.isRoot() })
@Stepwise
class Ex5LabSpec extends Specification {
    @Shared LabResult result
    @Shared Set<Integer> shmBefore

    def setupSpec() {
        shmBefore = SysvIpcTable.sharedMemory()*.id as Set
        Path script = Path.of(System.getProperty('labsh.labs', '.'), 'ex5.groovy')
        result = LabRunner.run(script, new LabOptions(out: System.out, err: System.err))
    }

    def "step 1: the host server's info file and segment were there"() {
        expect:
        result.step('start a server on the host').status.name() == 'PASS'
        result.step('start a server on the host').checks.every { it.passed }
    }

    def "step 2: the container's server ran in its own ipc, mnt, pid and uts namespaces"() {
        expect:
        result.step('start a server in a container').status.name() == 'PASS'
        result.output.contains('✓ its own namespaces are ipc, mnt, pid and uts')
    }

    def "step 3: the VM's server wrote the guest's address"() {
        expect:
        result.step('start a server in a VM').status.name() == 'PASS'
    }

    def "step 4: the client printed the seed's report, exactly"() {
        expect:
        result.step('run the client on the host').status.name() == 'PASS'
        result.output.contains('''\
            Total Servers: 3
            Host: 1
            Container: 1
            VM: 1
            Messages: host_shm host_socket container_socket'''.stripIndent())
    }

    def "step 5 and after: nothing of the lab is left — segments, info files, processes, ledger"() {
        expect:
        result.ok
        (SysvIpcTable.sharedMemory()*.id as Set) - shmBefore == [] as Set
        !Files.exists(Ledger.stateDir().resolve("work/${ProcessHandle.current().pid()}/ex5-info/server_1_host"))
        Ledger.current().openEntries().isEmpty()
        ProcessHandle.current().descendants().filter { it.info().command().orElse('') =~ /nsinit|qemu|ex5-server/ }.count() == 0
    }
}
