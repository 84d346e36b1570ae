package labsh.runtime.ex5

import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.dsl.Server
import labsh.kernel.Inotify
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import labsh.runtime.NativeStage
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * Issue 12, finding 7: ex5's container, attacked from inside as a student's server would. Its root
 * is a read-only busybox image of its own; the info directory is the one host directory it sees,
 * and what it plants there (a symlink to a host file) is not followed by the host's client.
 * One container for the whole spec (the lab's own word starts it), removed at the end.
 */
@Requires({ Privilege.isRoot() })
@Stepwise
class Ex5ConfinementSpec extends Specification {
    @Shared Path labDir = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'ex5-confinement')
    @Shared LabResult result
    @Shared Server box
    @Shared Path info
    /** A name no one else uses in the host's /tmp: the container tries to write it. */
    static final List<String> KERNEL_FS = ['proc', 'sysfs', 'tmpfs', 'devtmpfs', 'devpts', 'mqueue']
    @Shared String hostTmpName = "labsh-ex5-escape-${ProcessHandle.current().pid()}"

    def setupSpec() {
        Path lab = labDir.resolve('ex5-confinement.groovy')
        Files.writeString(lab, '''\
            lab 'ex5 confinement'
            def info = workdir 'ex5-info'
            def key = workfile 'ex5-shm-key'
            step('a server in a container') {
                def s = server on: container(hostname: 'ex5-box'), info: info, name: 'server_box', port: 5231,
                               shm: key, projId: 21, shmMessage: 'box_shm', socketMessage: 'box_socket', timeout: 120
                binding.setVariable('box', s)
                binding.setVariable('info', info)
            }
            '''.stripIndent())
        Binding binding = new Binding()
        result = LabRunner.run(lab, new LabOptions(unwind: false, binding: binding, err: System.err))
        assert result.ok: result.output
        box = binding.getVariable('box') as Server
        info = binding.getVariable('info') as Path
    }

    /** Where the writes above would land on the host if the container shared its root (removed then, so a regression leaves nothing). */
    private List<Path> hostTargets() { ['/tmp', '/etc', '/'].collect { Path.of(it, hostTmpName) } }

    def cleanupSpec() {
        hostTargets().each { Files.deleteIfExists(it) }
        box?.stop()
        Ledger.current().unwind()
        labDir.toFile().deleteDir()
    }

    /** {@code sh -c command} inside the container, as the server's own processes are (its namespaces, confined). */
    private NativeStage.Result inside(String command) {
        NativeStage.run(box.entry(['/bin/sh', '-c', command]).stdout(Redirect.PIPE).mergeStderr().build())
    }

    def "like every container, it has the default pids and memory limits, the device allow-list and seccomp (read from its cgroup and status)"() {
        given: "the server's cgroup in the v1 pids hierarchy, or v2's one group, from /proc/PID/cgroup"
        Map<String, String> groups = Files.readAllLines(Path.of("/proc/${box.pid}/cgroup")).collectEntries { String l ->
            List<String> f = l.split(':', 3) as List<String>
            [(f[1] ?: 'unified'), f[2]]
        }
        Path pids = groups.pids ? Path.of('/sys/fs/cgroup/pids', groups.pids) : Path.of('/sys/fs/cgroup', groups.unified)

        expect:
        groups.pids ? groups.pids.startsWith('/labsh/') : groups.unified.startsWith('/labsh/')
        Files.readString(pids.resolve('pids.max')).strip() == '1024'
        Files.readString(Path.of('/proc', "${box.pid}", 'status')).readLines().find { it.startsWith('Seccomp:') }.split()[1] == '2'
        inside('grep Seccomp: /proc/self/status').output.split()[1] == '2'
        !groups.devices || Files.readString(Path.of('/sys/fs/cgroup/devices', groups.devices, 'devices.list')).readLines().every { it != 'a *:* rwm' }
    }

    def "the container's root is read-only: writing /tmp, /etc or / fails with EROFS, and the host's stay untouched"() {
        when:
        def r = inside("echo x > /tmp/${hostTmpName}; echo x > /etc/${hostTmpName}; mkdir /${hostTmpName}; echo done")

        then: 'three writes, three EROFS (busybox sh prints strerror)'
        r.output.readLines().count { it.contains('Read-only file system') } == 3
        r.output.readLines().last() == 'done'
        hostTargets().every { !Files.exists(it) }
    }

    def "the host's /etc/shadow is not there, and /etc/passwd is the image's own"() {
        when:
        def shadow = inside('cat /etc/shadow')
        def passwd = inside('cat /etc/passwd')

        then:
        shadow.exitCode() != 0
        shadow.output.contains('No such file or directory')
        passwd.output == 'root:x:0:0:root:/root:/bin/sh\n'
        Files.readString(Path.of('/etc/passwd')) != passwd.output
    }

    def "mountinfo: the root is a read-only mount, and the info directory is the only host directory bound in"() {
        when: 'the kernel\'s view of the server\'s mounts'
        List<MountInfo> mounts = MountInfo.of(box.pid)
        MountInfo root = mounts.find { it.mountPoint() == '/' }
        MountInfo infoMount = mounts.find { it.mountPoint() == info.toString() }

        then:
        root.options().split(',').contains('ro')
        root.root().endsWith('/image')        // the busybox image, not the host's /
        infoMount.options().split(',').contains('rw')
        infoMount.root() == info.toString()
        // besides the root: kernel file systems (proc, and what masks its paths or fills /dev), and one host directory
        mounts.findAll { it.mountPoint() != '/' && !(it.fsType() in KERNEL_FS) && !(it.mountPoint() =~ '^/(proc|dev)/') }
              *.mountPoint() == [info.toString()]
    }

    def "the info directory is writable from inside (what the server needs), and ftok's file is read-only there"() {
        when:
        def write = inside("echo hello > ${info}/.probe && cat ${info}/.probe && rm ${info}/.probe")
        def key = inside("echo x >> ${Ledger.stateDir()}/work/${ProcessHandle.current().pid()}/ex5-shm-key")

        then:
        write.exitCode() == 0
        write.output == 'hello\n'
        key.output.contains('Read-only file system')
    }

    def "a symlink (and a FIFO) the container plants in the info directory: the client follows neither, one line each, the target never opened"() {
        given: 'a decoy on the host that would parse as a server if the client followed the link'
        Path decoy = labDir.resolve('decoy')
        Files.writeString(decoy, '127.0.0.1\n5299\n/etc/hostname\n9\n')
        assert InfoFile.parse(decoy).port() == 5299
        Inotify watch = Inotify.open()
        watch.addWatch(decoy, Inotify.IN_OPEN | Inotify.IN_ACCESS)

        when: 'from inside, the link and a FIFO (opened blocking, it would hang the client); then the host\'s client scans the directory'
        def ln = inside("ln -s ${decoy} ${info}/server_decoy && mkfifo ${info}/server_fifo")
        ScanReport report = new Ex5Client().scan(info)
        List<Inotify.Event> opened = watch.poll(0)

        then:
        ln.exitCode() == 0
        Files.isSymbolicLink(info.resolve('server_decoy'))
        report.problems() == ['server_decoy: is a symbolic link, not an info file (not followed: openat2 O_NOFOLLOW gave ELOOP)',
                              'server_fifo: is not a regular file (a FIFO, socket or device), not an info file']
        report.servers()*.file() == ['server_box']
        opened.isEmpty()

        when: 'the watch itself sees an open (so its silence above means something)'
        Files.readAllBytes(decoy)

        then:
        watch.poll(0).any { it.is(Inotify.IN_OPEN) }

        cleanup:
        watch?.close()
        Files.deleteIfExists(info.resolve('server_decoy'))
        Files.deleteIfExists(info.resolve('server_fifo'))
    }
}
