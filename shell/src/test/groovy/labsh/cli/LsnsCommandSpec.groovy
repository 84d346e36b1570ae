package labsh.cli

import labsh.kernel.Privilege
import picocli.CommandLine
import spock.lang.Requires
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Seed 004, problem 4: labsh's lsns against util-linux lsns, for the same pids. */
class LsnsCommandSpec extends Specification {
    Process unshare

    def cleanup() {
        if (unshare != null) {
            unshare.descendants().forEach { it.destroyForcibly() }
            unshare.destroyForcibly()
            unshare.waitFor(5, TimeUnit.SECONDS)
        }
    }

    /** labsh lsns -n PID, as (NS, TYPE) pairs. */
    private static List<List<String>> labshLsns(long pid) {
        StringWriter out = new StringWriter(), err = new StringWriter()
        CommandLine cl = Main.commandLine()
        cl.out = new PrintWriter(out)
        cl.err = new PrintWriter(err)
        int status = cl.execute('lsns', '-n', pid.toString())
        assert status == 0: err.toString()
        out.toString().readLines().collect { String l -> l.trim().split(/\s+/)[0..1] }
    }

    /** util-linux: lsns -p PID -n -o NS,TYPE */
    private static List<List<String>> utilLinuxLsns(long pid) {
        Process p = new ProcessBuilder('lsns', '-p', pid.toString(), '-n', '-o', 'NS,TYPE').start()
        String text = new String(p.inputStream.readAllBytes())
        assert p.waitFor() == 0
        text.readLines().collect { String l -> l.trim().split(/\s+/).toList() }
    }

    private static Map<String, String> kernelNs(long pid) {
        ['ipc', 'uts', 'mnt'].collectEntries { t -> [t, Files.readSymbolicLink(Path.of("/proc/${pid}/ns/${t}")).toString()] }
    }

    def "the namespaces of the JVM itself read as util-linux lsns reads them"() {
        given:
        long self = ProcessHandle.current().pid()

        expect:
        labshLsns(self).sort() == utilLinuxLsns(self).sort()
        labshLsns(self).size() >= 7
    }

    // unshare -u -i needs CAP_SYS_ADMIN
    @Requires({ Privilege.isRoot() })
    def "a process in its own uts and ipc namespaces: the new inodes, as util-linux lsns shows them"() {
        given:
        unshare = new ProcessBuilder('unshare', '-u', '-i', '--fork', '--kill-child', 'sleep', '300').start()
        long sleep = childOf(unshare)

        expect:
        labshLsns(sleep).sort() == utilLinuxLsns(sleep).sort()
        kernelNs(sleep).uts != kernelNs(ProcessHandle.current().pid()).uts
        kernelNs(sleep).ipc != kernelNs(ProcessHandle.current().pid()).ipc
        kernelNs(sleep).mnt == kernelNs(ProcessHandle.current().pid()).mnt
        labshLsns(sleep).find { it[1] == 'uts' }[0] == (kernelNs(sleep).uts =~ /\d+/)[0]
    }

    private static long childOf(Process p) {
        for (int i = 0; i < 500; i++) {
            Optional<ProcessHandle> c = p.children().findFirst()
            if (c.present) return c.get().pid()
            Thread.sleep(10)
        }
        throw new IllegalStateException('unshare did not fork its child')
    }
}
