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
 * labs/bridge.groovy (seed 000), run once as a user runs it; each feature checks one step, and
 * the last checks from the kernel's view that nothing of the lab is left.
 */
// Containers and setns(2) need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
@Stepwise
class BridgeLabSpec extends Specification {
    @Shared LabResult result
    @Shared Set<Integer> queuesBefore

    def setupSpec() {
        queuesBefore = SysvIpcTable.messageQueues()*.id as Set
        Path script = Path.of(System.getProperty('labsh.labs', '.'), 'bridge.groovy')
        result = LabRunner.run(script, new LabOptions(out: System.out, err: System.err))
    }

    def "step 1: the server runs in its own namespaces, its directory a tmpfs only in its mount namespace"() {
        expect:
        result.step('start the server in a container of its own (files + inotify)').status.name() == 'PASS'
        result.output.contains('✓ its directory is a tmpfs in its mount namespace (/proc/PID/mountinfo)')
        result.output.contains('✓ and nothing is mounted there in the host\'s (/proc/self/mountinfo)')
    }

    def "step 2: the client's queues 5566 and 7788 exist in its IPC namespace only"() {
        expect:
        result.step('start the client in a container of its own (message queues)').status.name() == 'PASS'
        result.step('start the client in a container of its own (message queues)').checks*.passed == [true, true, true]
    }

    def "step 3: the bridge's threads are in the client's IPC and the server's mount namespace"() {
        expect:
        result.step('bridge the client\'s IPC namespace and the server\'s mount namespace').status.name() == 'PASS'
        result.output.contains('bridge: client on queues (pid ')
    }

    def "step 4: the seed's sentences, an empty line, UTF-8 and a 301-byte line come back"() {
        expect:
        result.step('type lines into the client').status.name() == 'PASS'
        result.output.contains('   > This is the first sentence\n   < This is the first sentence\n')
        result.output.contains('   < Grüße, 你好, 😀\n')
    }

    def "step 5: a message in flight is a file in the server's mount namespace, not on the host"() {
        expect:
        result.step('catch a message in flight: a file in the server\'s mount namespace only').status.name() == 'PASS'
    }

    def "step 6 and after: nothing of the lab is left — queues, directories, processes, ledger"() {
        expect:
        nothingLeft(result, queuesBefore, ~/nsinit|queue-client|file-server/)
    }

    /** The lab passed, and the kernel shows nothing of it: no new queue, no open ledger entry, no process, no work directory. */
    static boolean nothingLeft(LabResult result, Set<Integer> queuesBefore, java.util.regex.Pattern programs) {
        assert result.ok
        assert result.lab.steps.size() == 6
        assert (SysvIpcTable.messageQueues()*.id as Set) - queuesBefore == [] as Set
        assert Ledger.current().openEntries().isEmpty()
        assert ProcessHandle.current().descendants().filter { it.info().command().orElse('') =~ programs }.count() == 0
        assert !Files.list(Ledger.stateDir().resolve('work')).withCloseable { s -> s.anyMatch { it.fileName.toString().startsWith("${ProcessHandle.current().pid()}-") } }
        true
    }
}
