package labsh.runtime

import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.Privilege
import spock.lang.Requires
import spock.lang.Specification

import static labsh.kernel.NsType.*

/**
 * Load: 50 containers started and stopped one after another through the native stage, half of
 * them in a busybox rootfs (pivot_root, so each makes and drops mounts). After each and after all:
 * no nsinit of this JVM left (the kernel's process table), no mount of the rootfs on the host
 * (/proc/self/mountinfo), no open ledger entry, and no file descriptor of this JVM leaked
 * (/proc/self/fd: a leaked control socket or pipe per start would show here).
 */
// New namespaces need CAP_SYS_ADMIN.
@Requires({ Privilege.isRoot() })
class LoadContainersSpec extends Specification {
    static final int CONTAINERS = 50
    Path rootfs = Path.of('target/load-containers/rootfs').toAbsolutePath()

    def setup() {
        ['bin', 'proc', 'tmp'].each { Files.createDirectories(rootfs.resolve(it)) }
        if (!Files.exists(rootfs.resolve('bin/busybox'))) Files.copy(Path.of('/bin/busybox'), rootfs.resolve('bin/busybox'))
    }

    static int fds() { Path.of('/proc/self/fd').toFile().list().length }

    /** nsinit processes of this JVM (its descendants: other work on the machine may run its own). */
    static List<Long> nsinits() {
        ProcessHandle.current().descendants().filter { ProcessHandle h ->
            try { new File("/proc/${h.pid()}/comm").text.trim() == 'nsinit' } catch (IOException ignored) { false }
        }.map { it.pid() }.toList()
    }

    def "50 containers started and stopped in a loop leave no process, mount, ledger entry or descriptor"() {
        given:
        int openBefore = Ledger.current().openEntries().size()
        // warm up once, so that what is loaded and cached on first use does not count as a leak
        NativeStage.start(LaunchSpec.command('/bin/true').namespaces(PID, MNT).build()).with { waitFor(); close() }
        int fdsBefore = fds()
        List<String> problems = []

        when:
        CONTAINERS.times { int i ->
            LaunchSpec.Builder b = LaunchSpec.command(i % 2 ? ['/bin/busybox', 'sleep', '30'] : ['sleep', '30'])
                    .namespaces(PID, MNT, UTS, IPC, NET).hostname("load-${i}").init(true).stdout(Redirect.DISCARD)
            if (i % 2) b.rootfs(rootfs.toString())
            NsProcess p = NativeStage.start(b.build())
            int pid = p.pid()
            if (!p.alive) problems << "container ${i} is not running after start"
            p.close()
            if (Files.exists(Path.of("/proc/${pid}"))) problems << "container ${i} (pid ${pid}) is still there after close"
            if (Ledger.current().openEntries().size() != openBefore) problems << "container ${i}: ledger has ${Ledger.current().openEntries()}"
        }

        then:
        problems.isEmpty()
        nsinits().isEmpty()
        !Files.readString(Path.of('/proc/self/mountinfo')).contains(rootfs.toString())
        Ledger.current().openEntries().size() == openBefore
        fds() <= fdsBefore + 2 // a lazily opened descriptor or two (the JDK's), never one per container
    }
}
