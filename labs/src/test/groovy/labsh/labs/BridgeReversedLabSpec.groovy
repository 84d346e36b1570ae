package labsh.labs

import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.Privilege
import labsh.kernel.SysvIpcTable
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * labs/bridge-reversed.groovy (seed 001, client on files, server on queues), run once as a user
 * runs it; each feature checks one step, the last that nothing of the lab is left.
 */
// Containers and setns(2) need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
@Stepwise
class BridgeReversedLabSpec extends Specification {
    @Shared LabResult result
    @Shared Set<Integer> queuesBefore

    def setupSpec() {
        queuesBefore = SysvIpcTable.messageQueues()*.id as Set
        Path script = Path.of(System.getProperty('labsh.labs', '.'), 'bridge-reversed.groovy')
        result = LabRunner.run(script, new LabOptions(out: System.out, err: System.err))
    }

    def "step 1: the server's queues 5566 and 7788 are in its IPC namespace only"() {
        expect:
        result.step('start the server in a container of its own (message queues)').status.name() == 'PASS'
        result.step('start the server in a container of its own (message queues)').checks*.passed == [true, true, true]
    }

    def "step 2: the client's directory is a tmpfs in its mount namespace only"() {
        expect:
        result.step('start the client in a container of its own (files + inotify)').status.name() == 'PASS'
        result.output.contains('✓ and nothing is mounted there in the host\'s')
    }

    def "step 3: the bridge's threads are in the server's IPC and the client's mount namespace"() {
        expect:
        result.step('bridge the server\'s IPC namespace and the client\'s mount namespace').status.name() == 'PASS'
        result.output.contains('bridge: server on queues (pid ')
    }

    def "step 4: lines, an empty one, UTF-8 and a 301-byte line come back whole"() {
        expect:
        result.step('type lines into the client').status.name() == 'PASS'
        result.output.contains('   < Grüße, 你好, 😀\n')
        result.output.contains('   < a' + '€' * 100 + '\n')
    }

    def "step 5: the kernel recorded labsh's bridge as the peer of the server's queues"() {
        expect:
        result.step('the kernel saw who used the server\'s queues').status.name() == 'PASS'
        result.step('the kernel saw who used the server\'s queues').checks.size() == 3
    }

    def "step 6 and after: nothing of the lab is left — queues, directories, processes, ledger"() {
        expect:
        BridgeLabSpec.nothingLeft(result, queuesBefore, ~/nsinit|file-client|queue-server/)
    }
}
