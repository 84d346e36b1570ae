package labsh.runtime

import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.security.MessageDigest

import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

import static labsh.kernel.NsType.*

/**
 * Issue 12, findings 1, 2, 9 and 10c, tried from inside a default container as an attacker would:
 * each feature reads the kernel's answer (mountinfo, EROFS, "Seccomp: 2", EPERM of a real syscall,
 * the memfd behind /proc/1/exe). One lab runs two containers, a default one and one whose lab asks
 * for unconfined: ['seccomp']; a static probe program, bound into both, makes the syscalls Docker's
 * profile denies, so the same call shows EPERM in one and the kernel's own answer in the other.
 */
@Requires({ Privilege.isRoot() })
class NsinitConfinementSpec extends Specification {
    @Shared Path work = Path.of('target/nsinit-confinement-spec').toAbsolutePath()
    @Shared Path probeDir = work.resolve('probe')
    @Shared Path nsinitFile = Path.of('target/classes/labsh/native/nsinit').toAbsolutePath()
    @Shared String corePatternBefore, corePatternAfter, nsinitSumBefore, nsinitSumAfter
    @Shared LabResult lab
    @Shared Map<String, String> seen = [:]

    static final String PROBE = '''\
        #define _GNU_SOURCE
        #include <errno.h>
        #include <fcntl.h>
        #include <sched.h>
        #include <stdio.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/syscall.h>
        #include <unistd.h>
        static void show(const char *what, long rc) { printf("%s=%s\\n", what, rc < 0 ? strerrorname_np(errno) : "OK"); }
        int main(void) {
            show("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
            show("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */));
            show("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
            show("bpf", syscall(SYS_bpf, 0, NULL, 0));
            show("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0));
            show("unshare_user", syscall(SYS_unshare, CLONE_NEWUSER));
            show("socket_vsock", socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
            show("exe_wronly", open("/proc/1/exe", O_WRONLY));
            int fd = open("/proc/1/exe", O_RDONLY);
            char again[64];
            snprintf(again, sizeof again, "/proc/self/fd/%d", fd);
            show("exe_reopen_rdwr", open(again, O_RDWR));
            show("exe_write", write(fd, "x", 1));
            show("personality_bsd", syscall(SYS_personality, 0x0006 /* PER_BSD */));
            return 0;
        }
        '''.stripIndent()

    def setupSpec() {
        Files.createDirectories(probeDir)
        Files.writeString(work.resolve('probe.c'), PROBE)
        Process cc = new ProcessBuilder('gcc', '-static', '-O2', '-o', probeDir.resolve('probe').toString(), work.resolve('probe.c').toString())
                .redirectErrorStream(true).start()
        String ccOut = cc.inputStream.text
        assert cc.waitFor() == 0: ccOut

        corePatternBefore = Files.readString(Path.of('/proc/sys/kernel/core_pattern'))
        nsinitSumBefore = sha256(nsinitFile)
        Path script = Files.writeString(work.resolve('confinement.groovy'), """\
            lab 'confinement'
            step('attack from inside') {
                def image = busybox()
                Container c = container 'conf-a', rootfs: image, writable: true, binds: ['${probeDir}': '/probe']
                Container u = container 'conf-b', rootfs: image, writable: true, binds: ['${probeDir}': '/probe'], unconfined: ['seccomp']
                def show = { String key, String value -> say "SEEN \${key}: \${value.readLines().join(' | ')}" }
                c.mountinfo().each { if (it.mountPoint() ==~ '/proc/.*|/sys/.*') show('mount ' + it.mountPoint(), it.options() + ' ' + it.fsType()) }
                show('core_pattern write', c.run('echo "|/x %P" > /proc/sys/kernel/core_pattern; echo status \$?').output())
                show('timer_list bytes', c.run('wc -c < /proc/timer_list').output())
                show('seccomp exec', c.run('grep Seccomp: /proc/self/status').output())
                show('seccomp init', new File("/proc/\${c.pid}/status").readLines().find { it.startsWith('Seccomp:') })
                show('seccomp shell', c.type('grep Seccomp: /proc/self/status'))
                show('unshare -U', c.run('unshare -U true; echo status \$?').output())
                show('exe link', c.run('readlink /proc/1/exe').output())
                show('exe write', c.run('echo x >> /proc/1/exe; echo status \$?').output())
                show('probe', c.run('/probe/probe').output())
                show('exec session', c.run('echo \$\$; cut -d" " -f6 /proc/\$\$/stat').output())
                show('ping', c.run('ping -c 1 -W 2 127.0.0.1 >/dev/null; echo status \$?').output())
                show('open seccomp exec', u.run('grep Seccomp: /proc/self/status').output())
                show('open seccomp init', new File("/proc/\${u.pid}/status").readLines().find { it.startsWith('Seccomp:') })
                show('open probe', u.run('/probe/probe').output())
            }
            """.stripIndent())
        lab = LabRunner.run(script, new LabOptions(out: System.out))
        lab.output.readLines().findAll { it.contains('SEEN ') }.each { String line ->
            String rest = line.substring(line.indexOf('SEEN ') + 5)
            seen[rest.substring(0, rest.indexOf(': '))] = rest.substring(rest.indexOf(': ') + 2)
        }
        corePatternAfter = Files.readString(Path.of('/proc/sys/kernel/core_pattern'))
        nsinitSumAfter = sha256(nsinitFile)
    }

    def cleanupSpec() {
        assert !Files.readString(Path.of('/proc/self/mountinfo')).contains(work.toString()): 'a mount of the spec is left on the host'
        assert Ledger.current().openEntries().isEmpty()
    }

    private static String sha256(Path p) { MessageDigest.getInstance('SHA-256').digest(Files.readAllBytes(p)).encodeHex().toString() }

    private static Map<String, String> probe(String line) {
        line.split(/ \| /).collectEntries { String kv -> kv.split('=', 2) as List }
    }

    def "the lab ran both containers"() {
        expect:
        lab.ok
        seen.containsKey('probe') && seen.containsKey('open probe')
    }

    def "/proc/sys and the other kernel knobs are read-only in the container's mountinfo; a core_pattern write gets EROFS and the host's is untouched"() {
        expect: 'the kernel lists them as read-only binds of the container proc'
        ['/proc/sys', '/proc/bus', '/proc/fs', '/proc/irq'].findAll { Files.exists(Path.of(it)) }.every { String p ->
            seen["mount ${p}".toString()]?.startsWith('ro,')
        }

        and: 'the write is refused by the kernel with EROFS'
        seen['core_pattern write'].contains('Read-only file system')
        !seen['core_pattern write'].endsWith('status 0')

        and: 'read before and after, never changed'
        corePatternAfter == corePatternBefore
    }

    def "/proc/keys, /proc/timer_list, /proc/acpi, ... are masked: a mount covers each that this kernel has, and timer_list reads empty"() {
        given: 'the host sees them (timer_list is never empty on the host), so the check can fail'
        List<String> present = ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/acpi', '/proc/scsi', '/proc/latency_stats',
                                '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware'].findAll { Files.exists(Path.of(it)) }
        assert Files.readString(Path.of('/proc/timer_list')).length() > 0

        expect:
        present.findAll { it.startsWith('/proc/') }.every { seen.containsKey("mount ${it}".toString()) }
        seen['timer_list bytes'].trim() == '0'
    }

    def "Docker's seccomp profile is loaded in the init, its shell and every exec: Seccomp 2, and unshare -U fails"() {
        expect:
        seen['seccomp exec'] ==~ /Seccomp:\s+2/
        seen['seccomp init'] ==~ /Seccomp:\s+2/
        seen['seccomp shell'].contains('2')
        seen['unshare -U'].contains('Operation not permitted')
        !seen['unshare -U'].endsWith('status 0')
    }

    def "the syscalls Docker denies get EPERM from the filter; without it (unconfined: ['seccomp']) the kernel answers them"() {
        given:
        Map<String, String> confined = probe(seen['probe'])
        Map<String, String> open = probe(seen['open probe'])

        expect: 'every denied call is EPERM under the filter'
        ['keyctl', 'userfaultfd', 'perf_event_open', 'bpf', 'open_by_handle_at', 'unshare_user', 'socket_vsock', 'personality_bsd'].every {
            confined[it] == 'EPERM'
        }

        and: 'the same calls without the filter get through to the kernel: the EPERM above was the filter'
        open.keyctl == 'OK'
        open.userfaultfd == 'OK'
        open.personality_bsd == 'OK'
        open.perf_event_open == 'EFAULT'
        open.socket_vsock != 'EPERM'
    }

    def "unconfined: ['seccomp'] leaves the filter out, for the init and for exec, and the lab's output says so in one line"() {
        expect:
        seen['open seccomp exec'] ==~ /Seccomp:\s+0/
        seen['open seccomp init'] ==~ /Seccomp:\s+0/
        lab.output.readLines().count { it.contains("conf-b: seccomp filter off, as the lab asks (Docker's default profile not loaded)") } == 1
        !lab.output.contains('conf-a: seccomp filter off')
    }

    def "the container's PID 1 is a sealed memfd, not the host's nsinit: every write from inside fails and the host file is unchanged"() {
        expect: 'the kernel names a memfd behind /proc/1/exe'
        seen['exe link'].startsWith('/memfd:nsinit')

        and: 'opening it for writing, reopening it read-write, writing: all refused'
        !seen['exe write'].endsWith('status 0')
        Map<String, String> p = probe(seen['probe'])
        p.exe_wronly in ['ETXTBSY', 'EPERM', 'EACCES']
        p.exe_reopen_rdwr in ['ETXTBSY', 'EPERM', 'EACCES']
        p.exe_write == 'EBADF'

        and:
        nsinitSumAfter == nsinitSumBefore
    }

    def "ping's raw socket is allowed in a confined container: it fails only for want of a route (lo is down in a new net namespace), never EPERM"() {
        expect:
        seen['ping'].contains('Network is unreachable')
        !seen['ping'].contains('not permitted')
    }

    def "a symlink in the image cannot send a bind target outside the root: it resolves inside (RESOLVE_IN_ROOT)"() {
        given: 'an image whose /data points at a host directory by its absolute path; the image has that path too'
        Path decoy = Files.createDirectories(work.resolve('decoy'))
        Path rootfs = work.resolve('symlink-root')
        busyboxInto(rootfs, ['sh', 'cat', 'ls', 'grep'])
        Files.createDirectories(rootfs.resolve(decoy.toString().substring(1)))
        Path link = rootfs.resolve('data')
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, decoy)
        Path source = Files.createDirectories(work.resolve('bind-source'))
        Files.writeString(source.resolve('marker'), 'bound\n')

        when:
        NsProcess p = NativeStage.start(LaunchSpec.command('/bin/sh', '-c', 'cat /data/marker; grep -c " ' + decoy + ' " /proc/self/mountinfo')
                .namespaces(PID, MNT, UTS, IPC, NET).rootfs(rootfs.toString()).bind(source.toString(), '/data').init(true).confined(true)
                .env('PATH', '/bin').stdout(Redirect.PIPE).mergeStderr().build())
        String out
        try {
            out = new String(p.stdout().readAllBytes())
            p.waitFor()
        } finally {
            p.close()
        }

        then: 'the bind landed at the image path the link names, inside the root'
        out.readLines() == ['bound', '1']

        and: 'the host directory has nothing of it, and no mount'
        Files.list(decoy).withCloseable { it.count() } == 0
        MountInfo.of('self').every { it.mountPoint() != decoy.toString() }
    }

    def "an extra proc (-p, like /tmp/foo of seed 004) is masked and read-only too"() {
        given:
        Path rootfs = work.resolve('proc-root')
        busyboxInto(rootfs, ['sh', 'grep'])
        Files.createDirectories(rootfs.resolve('tmp/foo'))

        when:
        NsProcess p = NativeStage.start(LaunchSpec.command('/bin/sh', '-c', 'grep -E " /tmp/foo/(sys|timer_list) " /proc/self/mountinfo')
                .namespaces(PID, MNT, UTS, IPC, NET).rootfs(rootfs.toString()).procAt('/tmp/foo').init(true).confined(true)
                .env('PATH', '/bin').stdout(Redirect.PIPE).mergeStderr().build())
        List<String> lines
        try {
            lines = new String(p.stdout().readAllBytes()).readLines()
            p.waitFor()
        } finally {
            p.close()
        }

        then:
        lines.find { it.contains(' /tmp/foo/sys ') }?.split(' ')[5]?.startsWith('ro,')
        lines.any { it.contains(' /tmp/foo/timer_list ') }
    }

    private static void busyboxInto(Path rootfs, List<String> applets) {
        ['bin', 'proc', 'tmp', 'sys', 'dev'].each { Files.createDirectories(rootfs.resolve(it)) }
        Path busybox = rootfs.resolve('bin/busybox')
        if (!Files.exists(busybox)) Files.copy(Path.of('/bin/busybox'), busybox)
        applets.each {
            Path link = rootfs.resolve("bin/$it")
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of('busybox'))
        }
    }

    def "an exec into the container leads a session of its own, so it cannot reach labsh's terminal (TIOCSTI)"() {
        given: "the exec'd shell's pid and its session id, both read inside from /proc/PID/stat"
        List<String> ids = seen['exec session'].split(/ \| /) as List<String>

        expect: 'setsid(2): its session is itself (without it, the session is labsh\'s, outside the pid namespace: 0)'
        ids.size() == 2
        ids[0] == ids[1]
        ids[1] != '0'
    }
}
