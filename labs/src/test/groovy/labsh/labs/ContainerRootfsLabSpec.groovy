package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.Container
import labsh.dsl.ContainerEvents
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.MountInfo
import labsh.kernel.NsType
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * labs/container-rootfs.groovy (seed 004 problem 1B), run once as a user runs it. Each container
 * is read here when it starts and just before it stops, from the host's and its own mountinfo,
 * /proc/PID/ns, /proc/PID/environ and util-linux nsenter; each feature checks one step.
 */
// mounts, pivot_root and new namespaces need CAP_SYS_ADMIN: root
@Requires({ Privilege.isRoot() })
@Stepwise
class ContainerRootfsLabSpec extends Specification {
    @Shared LabResult result
    @Shared List<ContainerView> views = []
    @Shared Path marker

    def setupSpec() {
        // a file of the host that no container may reach; it lives outside every container's root
        marker = Files.writeString(Files.createTempFile('labsh-host-only-', '.txt'), 'host')
        AutoCloseable listening = ContainerEvents.listen { String event, Object noun ->
            if (!(noun instanceof Container)) return
            Container c = (Container) noun
            ContainerView v = ContainerView.of(event, c.name, c.pid)
            MountInfo onHost = MountInfo.at(MountInfo.of('self'), c.root.toString())
            v.readings.hostMount = "${onHost.fsType()}|${onHost.root()}|${onHost.options()}|${onHost.superOptions()}|${onHost.majorMinor()}"
            v.readings.root = c.root.toString()
            v.readings.upper = "${c.upper}"
            v.readings.hostname = ContainerView.nsenter(c.pid, 'hostname')
            v.readings.lsRoot = ContainerView.nsenter(c.pid, 'ls', '/')
            v.readings.lsDotDot = ContainerView.nsenter(c.pid, 'ls', '/..')
            v.readings.findMarker = ContainerView.nsenter(c.pid, 'find', '/', '-xdev', '-name', marker.fileName.toString())
            v.readings.touch = ContainerView.nsenter(c.pid, 'sh', '-c', 'touch /spec-probe 2>&1 && rm /spec-probe && echo writable')
            if (event == 'stopping') {
                List<String> children = Files.readString(Path.of("/proc/${c.pid}/task/${c.pid}/children")).trim().split(' ') as List
                v.readings.initChild = children[0]
                v.readings.childEnviron = Files.readAllBytes(Path.of("/proc/${children[0]}/environ")).collect { it == 0 ? '\n' : (char) (it & 0xff) }.join('')
                v.readings.childComm = Files.readString(Path.of("/proc/${children[0]}/comm")).trim()
                v.readings.childPpid = Files.readAllLines(Path.of("/proc/${children[0]}/status")).find { it.startsWith('PPid:') }.split(/\s+/)[1]
                v.readings.zombies = zombiesIn(v.namespaces[NsType.PID]).toString()
                v.readings.upperDu = c.upper ? ['du', '-s', '-B1', c.upper.toString()].execute().text.split(/\s+/)[0] : '0'
                v.readings.whiteout = c.upper ? ['stat', '-c', '%F %t:%T', "${c.upper}/bin/vi"].execute().text.trim() : ''
                v.readings.hello = c.upper && Files.exists(c.upper.resolve('hello')) ? Files.readString(c.upper.resolve('hello')) : ''
                v.readings.lower = onHost.superOptions().find(/lowerdir=([^,]+)/) { all, dir -> dir } ?: onHost.root()
                v.readings.lowerDu = ['du', '-s', '-B1', v.readings.lower].execute().text.split(/\s+/)[0]
            }
            views << v
        }
        try {
            result = LabRunner.run(Path.of(System.getProperty('labsh.labs', '.'), 'container-rootfs.groovy'), new LabOptions(out: System.out, err: System.err))
        } finally {
            listening.close()
            Files.deleteIfExists(marker)
        }
    }

    /** Processes in zombie state among those of a pid namespace, from every /proc/PID/stat. */
    static List<Integer> zombiesIn(long pidNs) {
        new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.findAll { File p ->
            try {
                Files.readSymbolicLink(p.toPath().resolve('ns/pid')).toString() == "pid:[${pidNs}]" &&
                        Files.readString(p.toPath().resolve('stat')).replaceFirst(/^.*\) /, '').startsWith('Z')
            } catch (IOException ignored) {
                false // gone meanwhile
            }
        }.collect { it.name as int }
    }

    private ContainerView view(String event, String name) { views.find { it.event == event && it.name == name } }

    def "step 1: the containers' image came from the tar file: the bind's source is the unpacked directory"() {
        expect:
        result.step('a root image from a tar file').passed
        view('started', 'ro').readings.hostMount.split('\\|')[1].matches('.*/images/tar-\\d+-\\d+')
    }

    def "step 2: the root is a read-only bind at a host directory outside /tmp, in its own namespaces, with its hostname"() {
        given:
        ContainerView v = view('started', 'ro')
        List<String> m = v.readings.hostMount.split('\\|') as List

        expect:
        result.step('a container: its own mount namespace, its root bound at a host directory outside /tmp').passed
        !v.readings.root.startsWith('/tmp')
        m[0] != 'overlay' && m[2].split(',').contains('ro')
        v.mountAt('/').majorMinor() == m[4] && v.mountAt('/').root() == m[1]
        v.own().containsAll([NsType.MNT, NsType.PID, NsType.UTS, NsType.IPC, NsType.NET])
        v.readings.hostname == 'ro'
        v.readings.touch.contains('Read-only file system')
    }

    def "step 3: pivot_root: / and /.. are one, the host's file is nowhere, only /, its /dev tmpfs and /proc are mounted"() {
        given:
        ContainerView v = view('started', 'ro')

        expect:
        result.step('pivot_root: the host\'s files cannot be reached').passed
        v.readings.lsDotDot == v.readings.lsRoot
        v.readings.lsRoot.readLines().contains('bin') && !v.readings.lsRoot.readLines().contains('run')
        v.readings.findMarker.isEmpty()
        v.mountinfo*.mountPoint().findAll { !it.startsWith('/proc/') }.sort() == ['/', '/dev', '/proc']
        v.mountAt('/dev').fsType() == 'tmpfs' && v.mountAt('/').options().split(',').toList().containsAll(['nodev', 'nosuid'])
        // what is under /proc is the container's own proc, read-only or masked (nsinit -C, runc's defaults)
        v.mountinfo.findAll { it.mountPoint().startsWith('/proc/') }*.mountPoint().every {
            it in ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger', '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys',
                   '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi']
        }
    }

    def "step 4: writable: an overlay over the image; the upper layer holds the new file and a whiteout"() {
        given:
        ContainerView v = view('stopping', 'c1')
        List<String> m = v.readings.hostMount.split('\\|') as List

        expect:
        result.step('writable: an overlay upper layer').passed
        m[0] == 'overlay' && m[3].contains("upperdir=${v.readings.upper}")
        v.readings.touch == 'writable'
        v.readings.hello == 'written by c1\n'
        v.readings.whiteout == 'character special file 0:0'
    }

    def "step 5: PID 1 is the init; its child is the shell, with the script's prompt in its environment; no zombie"() {
        given:
        ContainerView v = view('stopping', 'c1')

        expect:
        result.step('the init: PID 1 sets the prompt, forks the interactive shell, reaps').passed
        v.readings.childComm == 'sh'
        v.readings.childPpid == "${v.pid}"
        v.readings.childEnviron.readLines().contains('PS1=c1> ')
        v.readings.hostname == 'c1'
        v.readings.zombies == '[]'
    }

    def "step 6: two containers share the image; each one's own layer is small next to it"() {
        given:
        long image = view('stopping', 'c1').readings.lowerDu as long
        long c1 = view('stopping', 'c1').readings.upperDu as long
        long c2 = view('stopping', 'c2').readings.upperDu as long

        expect:
        result.step('two containers from one image: the disk space each uses').passed
        view('stopping', 'c1').readings.lower == view('stopping', 'c2').readings.lower
        c2 >= 512 * 1024 && c2 < image
        c1 < 64 * 1024
    }

    def "step 7 and after: no container process, mount, directory or ledger entry is left"() {
        given:
        List<MountInfo> host = MountInfo.of('self')

        expect:
        result.ok
        views.every { !new File("/proc/${it.pid}").exists() }
        views.every { MountInfo.at(host, it.readings.root) == null && !Files.exists(Path.of(it.readings.root)) }
        !host.any { it.mountPoint().startsWith(Ledger.stateDir().resolve('containers').toString()) }
        Ledger.current().openEntries().isEmpty()
    }
}
