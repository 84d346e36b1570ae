package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import labsh.kernel.Privilege
import labsh.runtime.Cleaner
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/**
 * `kill -9` of a labsh in the middle of the network and FIFO labs, then what `labsh clean` runs
 * (Cleaner.clean): the containers, the bridge's hub, every veth and bridge, the FIFO and its
 * directory, the mounts and the ledger are gone — read from the kernel (/proc, lsns + nsenter ip,
 * mountinfo) and the file system.
 */
// Containers, veths and mounts need CAP_SYS_ADMIN and CAP_NET_ADMIN: root.
@Requires({ Privilege.isRoot() })
class ContainerNetworkKillSpec extends Specification {
    private static String sh(List<String> cmd) {
        def p = cmd.execute()
        def out = p.text
        p.waitFor()
        out
    }

    /** Every veth and bridge of every network namespace but the host's, as "type name netns=N". */
    private static List<String> vethsAndBridges() {
        String host = Files.readSymbolicLink(Path.of('/proc/self/ns/net')).toString()
        sh(['lsns', '-t', 'net', '-n', '-o', 'NS,PID']).readLines()*.trim().findAll { it }.collectMany { String l ->
            def (ns, pid) = l.split(/\s+/).toList()
            if ("net:[$ns]" == host) return []
            ['veth', 'bridge'].collectMany { String t ->
                sh(['nsenter', '-t', pid, '-n', 'ip', '-o', 'link', 'show', 'type', t]).readLines().collect { "$t ${it.split(': ')[1].replaceAll('@.*', '')} netns=$ns".toString() }
            }
        }
    }

    def "#lab killed with SIGKILL after '#heading': labsh clean leaves nothing of it"() {
        given:
        List<String> before = vethsAndBridges()
        Path script = Path.of(System.getProperty('labsh.labs', '.'), lab).toAbsolutePath()
        Process labsh = new ProcessBuilder(Path.of(System.getProperty('java.home'), 'bin', 'java').toString(),
                '-cp', System.getProperty('java.class.path'), RunLab.name, script.toString()).redirectErrorStream(true).start()
        StringBuilder out = new StringBuilder()
        def reader = new BufferedReader(new InputStreamReader(labsh.inputStream, 'UTF-8'))
        String line
        while ((line = reader.readLine()) != null && !line.startsWith(heading)) out.append(line).append('\n')
        assert line != null: "the lab ended before '${heading}':\n${out}"
        List<Integer> pids = (out =~ /(?m)(?:pid (\d+) on the host|in the namespace of pid (\d+))/).collect { m -> (m[1] ?: m[2]) as int }
        Path ledger = Ledger.stateDir().resolve('ledgers').toFile().listFiles().find { it.name.startsWith("${labsh.pid()}-") }?.toPath()

        when: 'kill -9 labsh: nothing of it runs to clean up'
        labsh.destroyForcibly()
        labsh.waitFor(10, TimeUnit.SECONDS)

        then: 'its objects outlive it: the root mounts of the containers, its ledger, and its veths or its FIFO'
        // (a container's init may end on its own now: its shell reads labsh's pipe, which closed)
        !pids.isEmpty()
        Files.readString(Path.of('/proc/self/mountinfo')).contains(Ledger.stateDir().resolve('containers').toString() + '/' + prefix)
        ledger != null && Files.exists(ledger)
        lab.contains('fifo') ? Files.exists(Ledger.stateDir().resolve('fifos').resolve("${labsh.pid()}-pipe/pipe")) : vethsAndBridges().size() > before.size()

        when: 'labsh clean'
        Cleaner.Report r = Cleaner.clean()

        then:
        r.ok()
        pids.every { !Files.exists(Path.of("/proc/$it")) }
        vethsAndBridges() == before
        !Files.exists(ledger)
        !Files.readString(Path.of('/proc/self/mountinfo')).contains(Ledger.stateDir().resolve('containers').toString() + '/' + prefix)
        !Files.exists(Ledger.stateDir().resolve('containers').resolve("${prefix}1"))
        !Files.exists(Ledger.stateDir().resolve('fifos').resolve("${labsh.pid()}-pipe"))

        where:
        lab                        | heading     | prefix
        'container-network.groovy' | '── step 6' | 'net-c'
        'container-fifo.groovy'    | '── step 3' | 'fifo-c'
    }
}
