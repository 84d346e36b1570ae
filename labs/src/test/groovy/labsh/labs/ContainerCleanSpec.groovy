package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.Cleaner
import spock.lang.Requires
import spock.lang.Specification

/**
 * `labsh clean` after a kill -9: a lab in a JVM of its own starts a writable container with limits
 * and a mount point, then is killed with SIGKILL (no shutdown hook runs); the cleaner, from the
 * dead JVM's ledger alone, removes its processes, cgroup, mounts and directories.
 */
// containers and cgroups need root
@Requires({ Privilege.isRoot() })
class ContainerCleanSpec extends Specification {
    Path work = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'clean')

    def cleanup() { work.toFile().deleteDir() }

    def "after kill -9 of a lab with a container, labsh clean leaves nothing"() {
        given:
        // its root outside /tmp, as the container word requires, wherever this checkout is
        String root = "/run/labsh-held-${ProcessHandle.current().pid()}"
        Path script = Files.writeString(work.resolve('held.groovy'), """\
            lab 'held'
            step('start and wait') {
                Container c = container 'held', writable: true, memory: '16m', cpu: 10, mount: '/mypoint', at: '${root}'
                say "READY \${c.pid}"
                Thread.sleep(600_000)
            }
            """.stripIndent())
        String cp = System.getProperty('surefire.test.class.path') ?: System.getProperty('java.class.path')
        Path state = work.resolve('state')     // its own state directory: its ledger is the only one cleaned
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty('java.home'), 'bin', 'java').toString(), '-cp', cp,
                'labsh.labs.RunLab', script.toString()).redirectErrorStream(true)
        pb.environment().put('LABSH_STATE', state.toString())
        Process jvm = pb.start()
        BufferedReader out = jvm.inputStream.newReader()
        String line
        while ((line = out.readLine()) != null && !line.contains('READY ')) { /* the lab's heading and step lines */ }
        assert line != null: 'the held lab ended before its container was ready'
        int init = line.trim().split(' ')[1] as int
        Path dir = state.resolve('containers/held')

        expect: 'it is all there while the lab runs'
        new File("/proc/${init}").exists()
        MountInfo.at(MountInfo.of('self'), root) != null
        !['find', '/sys/fs/cgroup', '-maxdepth', '4', '-name', 'container-held'].execute().text.isEmpty()

        when:
        jvm.destroyForcibly()          // SIGKILL: no unwind, no shutdown hook
        jvm.waitFor(10, TimeUnit.SECONDS)
        Cleaner.Report report = Cleaner.clean(state.resolve('ledgers'))

        then:
        report.ok()
        report.removed.any { it.contains('cgroup') } && report.removed.any { it.contains('mount') } && report.removed.any { it.contains('container-dir') }
        !new File("/proc/${init}").exists()
        MountInfo.at(MountInfo.of('self'), root) == null
        !Files.exists(dir)
        !Files.exists(Path.of(root))
        ['find', '/sys/fs/cgroup', '-maxdepth', '4', '-name', 'container-held'].execute().text.isEmpty()
        ProcessHandle.allProcesses().noneMatch { it.info().arguments().map { a -> a.contains('held') }.orElse(false) && it.info().command().orElse('').contains('nsinit') /* /memfd:nsinit (deleted) */ }

        cleanup:
        jvm?.destroyForcibly()
    }
}
