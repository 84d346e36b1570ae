package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.Privilege
import spock.lang.Requires
import spock.lang.Specification

/** Bad input to the bridge words stops the lab with one line naming what and why, at the lab's line. */
// Some cases start a container before the bad option is read: root.
@Requires({ Privilege.isRoot() })
class BridgeWordsSpec extends Specification {
    LabResult run(String body) {
        Path dir = Files.createTempDirectory(Path.of('target').toAbsolutePath(), 'bridge-words-')
        Path script = dir.resolve('words.groovy')
        Files.writeString(script, "lab 'words'\nstep('try') {\n    ${body}\n}\n")
        Files.writeString(dir.resolve('pid.txt'), 'not a pid\n')
        LabRunner.run(script, new LabOptions(out: new PrintStream(OutputStream.nullOutputStream()), err: new PrintStream(OutputStream.nullOutputStream()), args: [dir.toString()]))
    }

    def "#body fails with: #message"() {
        when:
        LabResult r = run(body)

        then:
        !r.ok
        r.error.line == 3
        r.error.message == message.replace('DIR', Path.of(r.script).parent.toString())

        where:
        body                                                         || message
        "echoServer via: 'pipes'"                                    || "via: must be 'files' or 'queues', not 'pipes'"
        "bridge ipc: 999999, mnt: 999998"                            || 'bridge: ipc: no process with pid 999999'
        "bridge ipc: 1"                                              || 'bridge: needs ipc: (the queue side) and mnt: (the file side)'
        "bridge ipc: args[0] + '/pid.txt', mnt: 1"                   || "bridge: ipc: the pid file DIR/pid.txt holds 'not a pid', not a pid"
        "bridge ipc: 1, mnt: 1, client: 'both'"                      || "bridge: client: must be 'ipc' or 'mnt', not 'both'"
        "bridge ipc: 1, mnt: 1, dir: '/', requestKey: 0"             || 'bridge: queue keys must not be 0 (IPC_PRIVATE would make a queue nobody else can find)'
        "runc('no/such')"                                            || "runc: 'no/such' is not a container id (letters, digits, '_', '.', '+', '-')"
    }
}
