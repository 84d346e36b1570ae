package labsh.labs

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/**
 * Bad input to link, network and fifo: each is one line naming the script's line and why, and
 * leaves nothing of its own behind. The lab runs without its final unwind, so that the
 * containers are still there and iproute2 (through nsenter) can show what they hold at the moment
 * of the error; the spec unwinds afterwards.
 */
// Containers and veths need CAP_SYS_ADMIN and CAP_NET_ADMIN: root.
@Requires({ Privilege.isRoot() })
class ContainerNetworkErrorsSpec extends Specification {
    def cleanup() {
        assert Ledger.current().unwind().isEmpty()
    }

    private static List<String> linksIn(int pid) {
        def p = ['nsenter', '-t', "$pid".toString(), '-n', 'ip', '-o', 'link', 'show'].execute()
        def out = p.text
        p.waitFor()
        out.readLines().collect { it.split(': ')[1].replaceAll('@.*', '') }
    }

    private static int pidOf(LabResult r, String name) { (r.output =~ /${name}: pid (\d+) on the host/)[0][1] as int }

    def "#what: one line, and the containers hold only what they held before (#links)"() {
        given:
        Path script = Files.createTempFile('net-errors', '.groovy')
        Files.writeString(script, """\
            Container c1, c2, c3
            step('bad input') {
                c1 = container 'err-c1', writable: true
                c2 = container 'err-c2', writable: true
                c3 = container 'err-c3', writable: true, namespaces: ['pid', 'mnt', 'uts', 'ipc']
                ${body}
            }
            """.stripIndent())
        def err = new ByteArrayOutputStream()

        when:
        LabResult r = LabRunner.run(script, new LabOptions(unwind: false, err: new PrintStream(err, true, StandardCharsets.UTF_8)))
        String shown = err.toString(StandardCharsets.UTF_8)

        then: 'the lab stopped with one line: file:line: step ... failed: why'
        !r.ok
        shown.readLines().size() == 1
        shown.startsWith("${script}:6: step 1 'bad input' failed: ")
        shown.contains(message)
        and: 'the kernel shows no new interface in either container'
        linksIn(pidOf(r, 'err-c1')) == links
        linksIn(pidOf(r, 'err-c2')) == links
        and: 'no FIFO directory was made'
        !Files.exists(Ledger.stateDir().resolve('fifos').resolve("${ProcessHandle.current().pid()}-p"))

        cleanup:
        Files.deleteIfExists(script)

        where:
        what                          | body                                                                   | links           | message
        'two links with one name'     | "link c1, c2, name: 'w'; link c1, c2, name: 'w'"                      | ['lo', 'eth0']  | "link err-c1, err-c2: the name 'w' is taken by link w"
        'a container on the host net' | "link c1, c3"                                                          | ['lo']          | "link err-c1, err-c3: container err-c3 shares the host's network namespace"
        'an octet over 255'           | "link c1, c2, addresses: ['10.0.0.1/24', '10.0.0.300/24']"             | ['lo']          | "link err-c1, err-c2: '10.0.0.300/24' is not a usable address: '300' is not a number from 0 to 255"
        'no prefix length'            | "link c1, c2, addresses: ['10.0.0.1', '10.0.0.2']"                     | ['lo']          | "'10.0.0.1' is not a usable address: it needs a prefix length"
        'two subnets'                 | "link c1, c2, addresses: ['10.0.0.1/24', '10.0.1.2/24']"               | ['lo']          | "10.0.0.1/24 and 10.0.1.2/24 are not in one subnet"
        'one address'                 | "link c1, c2, addresses: ['10.0.0.1/24']"                              | ['lo']          | "addresses: give two"
        'the same address twice'      | "link c1, c2, addresses: ['10.0.0.1/24', '10.0.0.1/24']"               | ['lo']          | "both ends would have 10.0.0.1"
        'a network on the host net'   | "network 'lan', c1, c2, c3"                                            | ['lo']          | "network lan: container err-c3 shares the host's network namespace"
        'a FIFO name with a slash'    | "fifo 'a/b', between: [c1, c2]"                                        | ['lo']          | "fifo a/b: 'a/b' cannot name a FIFO"
        'a FIFO for one container'    | "fifo 'p', between: [c1]"                                              | ['lo']          | "fifo p: between: must list two or more containers"
    }
}
