package labsh.runtime

import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

import static labsh.kernel.NsType.*

// Creating namespaces, mounting and pivot_root need CAP_SYS_ADMIN: root only (CI runs as root).
@Requires({ labsh.kernel.Privilege.isRoot() })
class NativeStageSpec extends Specification {
    @Shared Path target = Path.of('target').toAbsolutePath()
    @Shared Path rootfs = target.resolve('nsinit-rootfs')
    static final String BUSYBOX = '/bin/busybox'

    def setupSpec() {
        // a minimal root: static busybox and the applets the checks use
        Files.createDirectories(rootfs.resolve('bin'))
        Files.createDirectories(rootfs.resolve('proc'))
        def bb = rootfs.resolve('bin/busybox')
        if (!Files.exists(bb)) Files.copy(Path.of(BUSYBOX), bb)
        ['sh', 'ls', 'ps', 'cat', 'test', 'hostname'].each { n ->
            def l = rootfs.resolve("bin/$n")
            if (!Files.exists(l, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(l, Path.of('busybox'))
        }
        Files.writeString(rootfs.resolve('I-AM-THE-ROOTFS'), 'yes\n')
    }

    private static String output(NsProcess p) {
        String s = p.stdout().text
        p.waitFor(Duration.ofSeconds(10))
        return s
    }

    def "the container's /proc/PID/ns differ from the host's for exactly the requested types"() {
        given:
        def host = Namespaces.of((int) ProcessHandle.current().pid())

        when:
        def p = NsProcess.start(LaunchSpec.of(BUSYBOX, 'sleep', '30').namespaces(requested as NsType[]).build())
        def mine = p.namespaces()

        then:
        mine.keySet().findAll { mine[it] != host[it] } == requested as Set

        cleanup:
        p?.close()

        where:
        requested << [[PID, MNT, UTS, IPC, NET], [IPC], [UTS, NET], [CGROUP, MNT]]
    }

    def "in a new pid namespace with /proc, the container sees only its own processes, with itself as PID 1"() {
        when: 'ls is PID 1 of the new namespace and the only process in it'
        def p = NsProcess.start(LaunchSpec.of(BUSYBOX, 'ls', '/proc').namespaces(PID, MNT).stdout(Redirect.PIPE).build())
        def pids = output(p).split(/\s+/).findAll { it ==~ /\d+/ }

        then:
        pids == ['1']

        when: 'with --init, PID 1 is nsinit as a reaping init and the command (the shell exec()s ps) is PID 2'
        def q = NsProcess.start(LaunchSpec.of(BUSYBOX, 'sh', '-c', "$BUSYBOX ps -o pid,comm").namespaces(PID, MNT).init(true).stdout(Redirect.PIPE).build())
        def rows = output(q).readLines().drop(1)*.trim()*.split(/\s+/)

        then:
        rows*.getAt(0)*.toInteger() == [1, 2]
        rows.find { it[0] == '1' }[1] == 'nsinit'

        cleanup:
        p?.close()
        q?.close()
    }

    def "the hostname is set in the new uts namespace only"() {
        given:
        def hostName = Files.readString(Path.of('/proc/sys/kernel/hostname')).trim()

        when:
        def p = NsProcess.start(LaunchSpec.of(BUSYBOX, 'sleep', '30').namespaces(UTS).hostname('labbox').build())
        def r = NativeStage.joinAndRun(p.pid(), [UTS] as Set, 'hostname')

        then:
        r.exitCode() == 0
        r.stdout().trim() == 'labbox'
        Files.readString(Path.of('/proc/sys/kernel/hostname')).trim() == hostName

        cleanup:
        p?.close()
    }

    def "a bind mount shows in the container's mountinfo and not in the host's"() {
        given:
        def src = Files.createDirectories(target.resolve('bind-src'))
        def dst = Files.createDirectories(target.resolve('bind-dst'))

        when:
        def p = NsProcess.start(LaunchSpec.of(BUSYBOX, 'sleep', '30').namespaces(MNT).bind(src.toString(), dst.toString()).build())

        then:
        Files.readAllLines(Path.of("/proc/${p.pid()}/mountinfo")).any { it.split(' ')[4] == dst.toString() }
        !Files.readAllLines(Path.of('/proc/self/mountinfo')).any { it.split(' ')[4] == dst.toString() }

        cleanup:
        p?.close()
    }

    def "after pivot_root the container sees its rootfs as / and no host file"() {
        given:
        def hostFile = Path.of('pom.xml').toAbsolutePath()
        assert Files.exists(hostFile)

        when:
        def p = NsProcess.start(LaunchSpec.of('/bin/sh', '-c', "ls /..; test -e $hostFile && echo HOST-VISIBLE; cat /proc/1/cmdline")
                .namespaces(PID, MNT).rootfs(rootfs).stdout(Redirect.PIPE).build())
        def out = output(p)

        then:
        out.readLines().containsAll(['I-AM-THE-ROOTFS', 'bin', 'proc'])
        !out.contains('HOST-VISIBLE')
        !out.contains('.oldroot')

        cleanup:
        p?.close()
    }

    def "a failing step is reported as one line naming the call and errno"() {
        when:
        NsProcess.start(LaunchSpec.of(cmd as String[]).namespaces(PID, MNT).with { rootfsDir ? it.rootfs(Path.of(rootfsDir)) : it }.build())

        then:
        def e = thrown(NsProcess.LaunchException)
        e.message == message

        and: 'nothing is left open'
        Ledger.current().openEntries().isEmpty()

        where:
        rootfsDir         | cmd              || message
        '/nonexistent-rf' | ['/bin/true']    || 'mount("/nonexistent-rf", "/nonexistent-rf", MS_BIND|MS_REC): ENOENT (No such file or directory)'
        null              | ['/no/such/cmd'] || 'execvp("/no/such/cmd"): ENOENT (No such file or directory)'
    }

    def "beforeStart runs while the child is still nsinit, before it execs the command"() {
        given:
        String seen = null

        when:
        def p = NsProcess.start(LaunchSpec.of(BUSYBOX, 'sleep', '30').namespaces(PID, MNT)
                .beforeStart { int pid -> seen = Files.readString(Path.of("/proc/$pid/cmdline")).replace('\0', ' ') }.build())

        then:
        seen.startsWith(NativeStage.binary().toString() + ' run ')
        Files.readString(Path.of("/proc/${p.pid()}/cmdline")).replace('\0', ' ').trim() == "$BUSYBOX sleep 30"

        cleanup:
        p?.close()
    }

    def "close leaves nothing behind: no container, no nsinit, no open ledger entry"() {
        given:
        def p = NsProcess.start(LaunchSpec.of(BUSYBOX, 'sleep', '30').namespaces(PID, MNT, NET).init(true).build())
        int pid = p.pid()
        long stage = p.stagePid()

        when:
        p.close()

        then:
        !Files.exists(Path.of("/proc/$pid"))
        !Files.exists(Path.of("/proc/$stage"))
        Ledger.current().openEntries().isEmpty()
    }
}
