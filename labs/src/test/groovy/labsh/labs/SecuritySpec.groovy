package labsh.labs

import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.Privilege
import labsh.kernel.SharedMemory
import labsh.runtime.LaunchSpec
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

import static labsh.kernel.NsType.*

/**
 * From inside a container the host's filesystem, processes and IPC objects are out of reach. A
 * confined container (new pid, mnt, uts, ipc and net namespaces, a busybox rootfs pivot_root'ed
 * into with the old root detached, nsinit -C) tries the usual escapes, and each fails: {@code ..}
 * above the root, {@code /proc/1/root}, the host's disk by mknod, devtmpfs or mount, entering
 * other namespaces through /proc with nsenter, and reading the host's SysV segments.
 *
 * <p>Why confined: without a user namespace the container's root holds the host's capabilities;
 * unconfined (LaunchSpec's default, kept for labs whose payload mounts by itself), `mknod /tmp/disk
 * b 254 0 && mount /tmp/disk /mnt` mounted the host's root disk (measured while writing this).
 */
// Namespaces, pivot_root and mknod tries need root.
@Requires({ Privilege.isRoot() })
class SecuritySpec extends Specification {
    @Shared Path rootfs = Path.of('target/security-spec/rootfs').toAbsolutePath()
    @Shared List<String> applets = ['sh', 'ls', 'cat', 'mknod', 'mount', 'nsenter', 'readlink', 'grep', 'echo', 'id', 'stat']

    def setupSpec() {
        ['bin', 'proc', 'tmp', 'etc', 'mnt', 'dev'].each { Files.createDirectories(rootfs.resolve(it)) }
        Path busybox = rootfs.resolve('bin/busybox')
        if (!Files.exists(busybox)) Files.copy(Path.of('/bin/busybox'), busybox)
        applets.each {
            Path link = rootfs.resolve("bin/$it")
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of('busybox'))
        }
        Files.writeString(rootfs.resolve('etc/marker'), 'inside the rootfs\n')
    }

    def cleanupSpec() {
        assert !Files.readString(Path.of('/proc/self/mountinfo')).contains(rootfs.toString()): 'a mount of the spec is left on the host'
    }

    /** Runs {@code script} with sh in a confined container; returns its output (stdout and stderr). */
    static String inContainer(String script) {
        NsProcess p = NativeStage.start(LaunchSpec.command('/bin/sh', '-c', script)
                .namespaces(PID, MNT, UTS, IPC, NET).hostname('jail').rootfs(rootfsPath()).init(true).confined(true)
                .env('PATH', '/bin').stdout(Redirect.PIPE).mergeStderr().build())
        try {
            String out = new String(p.stdout().readAllBytes())
            p.waitFor()
            out
        } finally {
            p.close()
        }
    }

    static String rootfsPath() { Path.of('target/security-spec/rootfs').toAbsolutePath().toString() }

    static List<String> names(Path dir) { dir.toFile().list().sort() }

    def "'..' above the root and 'cd ../../..' stay in the rootfs: the host's / is not there"() {
        given: 'names in the host root that the rootfs does not have (so the check can fail)'
        List<String> hostOnly = names(Path.of('/')) - names(rootfs)
        assert !hostOnly.isEmpty()

        when:
        List<String> out = inContainer('ls -a /.. | grep -v "^\\.\\.*$"; echo ---; cd ../../../..; pwd; ls').readLines()
        int sep = out.indexOf('---')

        then:
        out.subList(0, sep).sort() == names(rootfs)
        out[sep + 1] == '/'
        out.subList(sep + 2, out.size()).sort() == names(rootfs)
        out.intersect(hostOnly).isEmpty()
    }

    def "/proc/1/root is the container's own root, and /proc shows none of the host's processes"() {
        when:
        List<String> out = inContainer('readlink /proc/1/root; cat /proc/1/root/etc/marker; ls /proc | grep "^[0-9]*$"').readLines()

        then:
        out[0] == '/'
        out[1] == 'inside the rootfs'
        List<Integer> pids = out.drop(2).collect { it.toInteger() }
        !pids.isEmpty()
        pids.every { it < 10 } // the container's init, sh and ls: none of the host's pids
        !pids.contains(ProcessHandle.current().pid() as int)
    }

    def "the host's root disk (#device, #majorMinor) cannot be reached: mknod, devtmpfs and mount all fail"() {
        when:
        String out = inContainer("""
            mknod /tmp/disk b ${majorMinor.replace(':', ' ')} 2>&1; echo "mknod=\$?"
            mount -t devtmpfs none /dev 2>&1; echo "devtmpfs=\$?"
            mount -t ${fstype} /tmp/disk /mnt 2>&1; echo "mount=\$?"
            mount -t proc proc /mnt 2>&1; echo "proc=\$?"
            echo "mnt:\$(ls -A /mnt)"
            """.stripIndent())
        Map<String, Integer> status = out.readLines().findAll { it ==~ /\w+=\d+/ }.collectEntries { String l -> [(l.split('=')[0]): l.split('=')[1].toInteger()] }

        then: 'each try ran and failed'
        status.keySet() == ['mknod', 'devtmpfs', 'mount', 'proc'] as Set
        status.every { k, v -> v != 0 }

        and: 'nothing of the host is under /mnt'
        out.readLines().contains('mnt:')

        where:
        [device, majorMinor, fstype] << [hostRoot()]
    }

    def "a lab's container (the container word) and a command exec'd into it cannot mount the host's disk (#device)"() {
        given: 'a lab that starts a writable busybox container and tries, through its init and through exec (join mode)'
        String tries = "mknod /tmp/disk b ${majorMinor.replace(':', ' ')}; echo mknod=\$?; " +
                "mount -t ${fstype} /tmp/disk /mnt; echo mount=\$?; mount -t devtmpfs none /mnt; echo devtmpfs=\$?"
        Path lab = Files.createTempFile('security-container', '.groovy')
        Files.writeString(lab, """
            lab 'escape from a container'
            step('try') {
                Container c = container 'jail', rootfs: busybox(), writable: true
                say 'exec: ' + c.run('${tries}').output().readLines().join(' ')
            }
            """.stripIndent())

        when:
        LabResult r = LabRunner.run(lab, new LabOptions(out: System.out, err: System.err))
        String said = r.output.readLines().find { it.contains('exec: ') }

        then: 'the lab ran, and every try was refused'
        r.ok
        said =~ /mknod=[1-9]/
        said =~ /mount=[1-9]/
        said =~ /devtmpfs=[1-9]/

        cleanup:
        Files.deleteIfExists(lab)

        where:
        [device, majorMinor, fstype] << [hostRoot()]
    }

    def "nsenter into namespaces through /proc fails: #target"() {
        when:
        String out = inContainer("nsenter ${target} -- /bin/echo escaped 2>&1; echo \"status=\$?\"")

        then:
        !out.contains('escaped\n')
        !out.contains('status=0')

        where:
        target << ['-t 1 -m -u -i -n -p', '--mount=/proc/1/ns/mnt', '--net=/proc/1/ns/net',
                   "-t ${ProcessHandle.current().pid()} -m".toString()]
    }

    def "a SysV segment made on the host is not in the container's /proc/sysvipc/shm"() {
        given:
        int key = 0x5ec00000 | new Random().nextInt(0xffff)
        int id = SharedMemory.get(key, 4096, SharedMemory.IPC_CREAT | 0666)
        assert Files.readAllLines(Path.of('/proc/sysvipc/shm')).drop(1)*.trim()*.split(/\s+/).any { it[0].toInteger() == key }

        when:
        List<String> rows = inContainer('cat /proc/sysvipc/shm').readLines()

        then:
        rows.size() == 1 // the header alone
        rows[0].trim().startsWith('key')

        cleanup:
        SharedMemory.remove(id)
    }

    /** The host's root filesystem: its source device, major:minor and type, from /proc/self/mountinfo. */
    static List<String> hostRoot() {
        List<String> f = Files.readAllLines(Path.of('/proc/self/mountinfo')).collect { it.split(' ') as List }.find { it[4] == '/' }
        int dash = f.indexOf('-')
        [f[dash + 2], f[2], f[dash + 1]]
    }
}
