package labsh.runtime

import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.Path

import labsh.kernel.Namespaces
import labsh.kernel.NsType
import labsh.kernel.Privilege
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

import static labsh.kernel.NsType.*

// Creating namespaces needs CAP_SYS_ADMIN: these specs run as root (CI does).
@Requires({ Privilege.isRoot() })
class NativeStageSpec extends Specification {
    @Shared Path work = Path.of('target/native-stage-spec').toAbsolutePath()
    @Shared Path rootfs = work.resolve('rootfs')
    @Shared int self = ProcessHandle.current().pid() as int
    List<NsProcess> started = []

    def setupSpec() {
        // a tiny root image: the static busybox and its applets, nothing of the host's
        Files.createDirectories(rootfs.resolve('bin'))
        ['proc', 'tmp', 'etc'].each { Files.createDirectories(rootfs.resolve(it)) }
        def busybox = rootfs.resolve('bin/busybox')
        if (!Files.exists(busybox)) Files.copy(Path.of('/bin/busybox'), busybox)
        ['sh', 'ls', 'cat', 'sleep', 'hostname', 'echo', 'test', 'id'].each {
            def link = rootfs.resolve("bin/$it")
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of('busybox'))
        }
        Files.writeString(rootfs.resolve('etc/marker'), 'inside the rootfs\n')
    }

    def cleanup() {
        started.each { it.close() }
    }

    def cleanupSpec() {
        assert !hostMountinfo().contains(work.toString()): 'a mount of the spec is left on the host'
        assert ProcessHandle.current().children().noneMatch { it.info().command().orElse('').startsWith('/memfd:nsinit') }
    }

    private NsProcess start(LaunchSpec.Builder b) {
        def p = NativeStage.start(b.build())
        started << p
        p
    }

    private static String run(LaunchSpec.Builder b) {
        def p = NativeStage.start(b.stdout(Redirect.PIPE).mergeStderr().build())
        try {
            def out = new String(p.stdout().readAllBytes())
            assert p.waitFor() == 0: out
            return out
        } finally {
            p.close()
        }
    }

    private static String hostMountinfo() { Files.readString(Path.of('/proc/self/mountinfo')) }

    def "the child's namespaces differ from the host's exactly for the types asked: #types"() {
        given:
        def host = Namespaces.of(self)

        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(types as Set))
        def child = p.namespaces()

        then:
        NsType.values().findAll { host.containsKey(it) && child[it] != host[it] } as Set == types as Set

        where:
        types << [[PID, MNT], [UTS, IPC, NET], [USER, PID, MNT], [CGROUP], [PID, MNT, UTS, IPC, NET, USER, CGROUP]]
    }

    def "in a new pid namespace the command is PID 1"() {
        expect:
        run(LaunchSpec.command('sh', '-c', 'echo $$').namespaces(PID, MNT)).trim() == '1'
    }

    def "under init mode the command is PID 2 and PID 1 is nsinit"() {
        expect:
        run(LaunchSpec.command('sh', '-c', 'echo $$; cat /proc/1/comm').namespaces(PID, MNT).init(true)).readLines() == ['2', 'nsinit']
    }

    def "the /proc mounted inside shows the container's processes only, and not on the host"() {
        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(PID, MNT))
        def pids = Files.list(Path.of("/proc/${p.pid()}/root/proc")).withCloseable { s ->
            s.collect { it.fileName.toString() }.findAll { it ==~ /\d+/ }
        }

        then:
        pids == ['1']
        Files.readString(Path.of("/proc/${p.pid()}/mountinfo")).readLines().count { it.split(' ')[4] == '/proc' } == 2
        hostMountinfo().readLines().count { it.split(' ')[4] == '/proc' } == 1
    }

    def "proc can also be mounted at another path, e.g. /tmp/foo"() {
        given:
        def foo = Files.createDirectories(work.resolve('foo'))

        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(PID, MNT).mountProc(false).procAt(foo.toString()))
        def mounts = Files.readString(Path.of("/proc/${p.pid()}/mountinfo")).readLines().collect { it.split(' ') }

        then:
        mounts.find { it[4] == foo.toString() && it.contains('proc') }
        mounts.count { it[4] == '/proc' } == 1 // the host's, inherited
    }

    def "the hostname is set in the new uts namespace only"() {
        given:
        def hostHostname = Files.readString(Path.of('/proc/sys/kernel/hostname')).trim()

        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(UTS).hostname('labsh-box'))

        then:
        NativeStage.joinAndRun(p.pid(), [UTS] as Set, ['hostname']).output().trim() == 'labsh-box'
        Files.readString(Path.of('/proc/sys/kernel/hostname')).trim() == hostHostname
    }

    def "a bind mount shows in the child's mountinfo, not in the host's"() {
        given:
        def info = Files.createDirectories(work.resolve('info'))
        Files.writeString(info.resolve('server.txt'), 'port 5000\n')
        def target = Files.createDirectories(work.resolve('bind-target'))

        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(MNT).bind(info.toString(), target.toString()))

        then:
        Files.readString(Path.of("/proc/${p.pid()}/mountinfo")).readLines().any { it.split(' ')[4] == target.toString() }
        !hostMountinfo().readLines().any { it.split(' ')[4] == target.toString() }
        NativeStage.joinAndRun(p.pid(), [MNT] as Set, ['cat', "$target/server.txt".toString()]).output() == 'port 5000\n'
    }

    def "a pivot_root'ed container sees its rootfs, not the host's files"() {
        when:
        def out = run(LaunchSpec.command('/bin/sh', '-c', 'ls /; cat /etc/marker; test -e /etc/os-release && echo host-visible || echo isolated; cat /proc/self/mountinfo')
                .namespaces(PID, MNT, UTS).rootfs(rootfs.toString()).hostname('c1'))

        then:
        out.readLines().take(5) == ['bin', 'etc', 'proc', 'tmp', 'inside the rootfs']
        out.contains('isolated')
        !out.contains('.oldroot')
        !Files.exists(rootfs.resolve('.oldroot'))
    }

    def "joinAndRun enters a container's namespaces, as nsenter does: #types"() {
        // (joining mnt alone would leave /proc/self pointing nowhere: the container's /proc shows its own pid ns)
        given:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(PID, MNT, IPC, NET))

        when:
        def r = NativeStage.joinAndRun(p.pid(), types as Set, ['readlink', "/proc/self/ns/${types[-1].procName()}".toString()])

        then:
        r.exitCode() == 0
        r.output().trim() == "${types[-1].procName()}:[${p.namespaces()[types[-1]]}]"

        where:
        types << [[IPC], [NET], [PID, MNT]]
    }

    def "ipcs runs inside a container's IPC namespace"() {
        given:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(IPC))

        when:
        def r = NativeStage.joinAndRun(p.pid(), [IPC] as Set, ['ipcs', '-q'])

        then:
        r.exitCode() == 0
        r.output().contains('Message Queues')
    }

    def "a failing step is reported as one exact line: #what"() {
        when:
        NativeStage.start(spec.build())

        then:
        def e = thrown(NativeStage.LaunchException)
        e.line() == line
        ProcessHandle.current().children().noneMatch { it.info().command().orElse('').startsWith('/memfd:nsinit') }

        where:
        what               | spec                                                                      | line
        'missing rootfs'   | LaunchSpec.command('/bin/sh').namespaces(PID, MNT).rootfs('/nonexistent/r') | 'error mount("/nonexistent/r", "/nonexistent/r", NULL, MS_BIND|MS_REC, NULL): ENOENT (No such file or directory)'
        'missing command'  | LaunchSpec.command('no-such-command').namespaces(PID, MNT)                  | 'error execvp("no-such-command"): ENOENT (No such file or directory)'
        'init, bad command'| LaunchSpec.command('no-such-command').namespaces(PID, MNT).init(true)      | 'error execvp("no-such-command"): ENOENT (No such file or directory)'
        'no such pid'      | LaunchSpec.command('true').join(999999999).namespaces(IPC)                | 'error open("/proc/999999999/ns/ipc"): ENOENT (No such file or directory)'
    }

    def "a failed step names the call and errno in the exception message"() {
        when:
        NativeStage.start(LaunchSpec.command('no-such-command').namespaces(MNT).build())

        then:
        def e = thrown(NativeStage.LaunchException)
        e.message == 'execvp("no-such-command") failed: ENOENT (No such file or directory)'
        e.errno() == 2
    }

    def "a user namespace maps root inside to the host's uid"() {
        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(USER, PID, MNT))

        then:
        Files.readString(Path.of("/proc/${p.pid()}/uid_map")).trim().split(/\s+/) == ['0', "${labsh.kernel.Libc.geteuid()}", '1']
    }

    def "a user namespace with a range map runs as host uid 100000 and as root inside"() {
        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(USER, PID, MNT).uidMap(0, 100000, 65536).gidMap(0, 100000, 65536))
        def uids = Files.readAllLines(Path.of("/proc/${p.pid()}/status")).find { it.startsWith('Uid:') }.split(/\s+/)[1..4]

        then:
        uids == ['100000'] * 4
        NativeStage.joinAndRun(p.pid(), [USER, PID, MNT] as Set, ['id', '-u']).output().trim() == '0'
    }

    def "beforeStart runs while the child still waits, before it has exec'd"() {
        given:
        String seen = null

        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(PID, MNT).beforeStart { int pid ->
            seen = Files.readSymbolicLink(Path.of("/proc/$pid/exe")).toString()
        })

        then: 'nsinit, from its sealed memfd (NativeStage.executable)'
        seen.startsWith('/memfd:nsinit')
        Files.readSymbolicLink(Path.of("/proc/${p.pid()}/exe")).fileName.toString() == 'sleep'
    }

    def "a beforeStart that throws aborts the launch and leaves no process"() {
        given:
        int childPid = 0

        when:
        NativeStage.start(LaunchSpec.command('sleep', '30').namespaces(PID).beforeStart { int pid ->
            childPid = pid
            throw new IllegalStateException('no cgroup for you')
        }.build())

        then:
        thrown(IllegalStateException)
        childPid > 0
        !Files.exists(Path.of("/proc/$childPid"))
        // nsinit saw the control socket close before "go": it killed the child and exited
        ProcessHandle.current().children().noneMatch { it.info().command().orElse('').startsWith('/memfd:nsinit') }
    }

    def "the exit status is the command's, and SIGTERM reaches the command through init"() {
        expect:
        NativeStage.start(LaunchSpec.command('sh', '-c', 'exit 7').namespaces(PID, MNT).build()).withCloseable { it.waitFor() } == 7

        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(PID, MNT).init(true))
        p.signal(NsProcess.SIGTERM)

        then:
        p.waitFor() == 128 + 15
    }

    def "close() leaves nothing behind: no process, no mount"() {
        given:
        def p = NativeStage.start(LaunchSpec.command('/bin/sleep', '30').namespaces(PID, MNT, UTS, IPC, NET)
                .rootfs(rootfs.toString()).build())
        def pid = p.pid(), stage = p.stagePid()

        when:
        p.close()

        then:
        !Files.exists(Path.of("/proc/$pid"))
        !Files.exists(Path.of("/proc/$stage"))
        !hostMountinfo().contains(rootfs.toString())
    }

    def "the ledger records both processes while they run (labsh clean could kill them)"() {
        when:
        def p = start(LaunchSpec.command('sleep', '30').namespaces(PID))
        def lines = Files.readAllLines(Ledger.current().file())

        then:
        lines.any { it.endsWith("= pid=${p.pid()} start=${ProcFs.startTime(p.pid())}") }
        lines.any { it.endsWith("= pid=${p.stagePid()} start=${ProcFs.startTime(p.stagePid() as int)}") }
    }
}
