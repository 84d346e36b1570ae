package labsh.runtime.container

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.Cgroups
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

/**
 * Issue 12, findings 3, 4 (the container's half), 6 and 10c (the Java half): a student's program
 * run as root in a default container tries what worked before, and the kernel refuses it.
 * Each container is started by a lab's {@code container} word, as a student's lab starts one;
 * every attempt is a command run inside it, and each refusal is read from the kernel (the errno
 * a command prints, mountinfo, the cgroup's own files). Each refusal has a control beside it that
 * shows the same attempt succeeding where nothing stands in its way, so a check cannot pass by
 * accident.
 */
// containers, mounts, cgroups and mknod need root
@Requires({ Privilege.isRoot() })
class ContainerEscapeSpec extends Specification {
    @Shared Path work = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'escape')
    /** A static program that prints its effective uid: it cannot lie about elevation, as a setuid busybox may (it drops privileges itself). */
    @Shared Path euid = work.resolve('euid')
    @Shared String suffix = Long.toString(ProcessHandle.current().pid() % 100000)

    def setupSpec() {
        Path c = Files.writeString(work.resolve('euid.c'), '#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf("euid=%d\\n", (int) geteuid()); return 0; }\n')
        run('gcc', '-static', '-O2', '-o', euid.toString(), c.toString())
    }

    def cleanupSpec() {
        work.toFile().deleteDir()
        assert !MountInfo.ofThisThread().any { it.mountPoint().contains("-${suffix}") }: 'a mount of the spec is left'
        assert Ledger.current().openEntries().isEmpty()
    }

    static String run(String... command) {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start()
        String out = p.inputStream.text
        assert p.waitFor() == 0: "${command.join(' ')}: ${out}"
        out
    }

    /** Runs a lab with one step, {@code body}, and returns what it printed; the lab must pass. */
    LabResult lab(String body) {
        Path script = work.resolve("escape-${System.nanoTime()}.groovy")
        Files.writeString(script, """\
            import java.nio.file.Files
            import java.nio.file.Path
            import labsh.kernel.Cgroups
            lab 'escape attempts'
            step('try') {
            ${body.stripIndent()}
            }
            """.stripIndent())
        LabResult r = LabRunner.run(script, new LabOptions(out: System.out, err: System.err))
        assert r.ok: r.output
        r
    }

    /** The lines "key=value" the lab said, as a map. */
    static Map<String, String> said(LabResult r) {
        r.output.readLines()*.trim().findAll { it ==~ /[a-z0-9-]+=.*/ }.collectEntries { String l -> [(l.split('=', 2)[0]): l.split('=', 2)[1]] }
    }

    /** A lab-script expression: the text of cgroup file FILE of container c (v1: under its controller; v2: one directory). */
    static final String CG = '''
        def cg = { Container c, String file, String controller = file.split('\\\\.')[0] ->
            Path p = Cgroups.version() == Cgroups.Version.V2 ? Path.of("/sys/fs/cgroup${c.cgroup.name()}/${file}")
                                                            : Path.of("/sys/fs/cgroup/${controller}${c.cgroup.name()}/${file}")
            Files.readString(p).trim()
        }
        '''

    /** A busybox root in a directory (a link per applet used here), with the euid program in /opt. */
    Path busyboxTree(String name) {
        Path root = work.resolve(name)
        ['bin', 'proc', 'tmp', 'etc', 'dev', 'opt', 'nodes', 'sys'].each { Files.createDirectories(root.resolve(it)) }
        Files.copy(Path.of('/bin/busybox'), root.resolve('bin/busybox'))
        ['sh', 'cat', 'head', 'echo', 'ls', 'stat', 'cp', 'chmod', 'mknod', 'id', 'sleep', 'wc', 'tail', 'grep', 'mkdir'].each {
            Files.createSymbolicLink(root.resolve("bin/${it}"), Path.of('busybox'))
        }
        Files.copy(euid, root.resolve('opt/euid'))
        root
    }

    def "device nodes from a tar: skipped when unpacking, nodev on the root, and the device cgroup refuses what is not on runc's list"() {
        given: 'a rootfs tar with a loop device, the kernel log and a setuid file in it (mknod and chmod u+s on the host)'
        Path tree = busyboxTree('dev-tree')
        run('mknod', tree.resolve('nodes/loop0').toString(), 'b', '7', '0')
        run('mknod', tree.resolve('nodes/kmsg').toString(), 'c', '1', '11')
        run('mknod', tree.resolve('dev/loop0').toString(), 'b', '7', '0')
        run('mknod', tree.resolve('dev/kmsg').toString(), 'c', '1', '11')
        run('chmod', '4755', tree.resolve('opt/euid').toString())
        Path tar = work.resolve('devices.tar')
        run('tar', '-cf', tar.toString(), '-C', tree.toString(), '.')
        assert run('tar', '-tvf', tar.toString()).readLines().count { it.startsWith('b') || it.startsWith('c') } == 4

        when: 'a default container on it opens them, and a node that the host puts on its /dev (not nodev), and /dev/null'
        LabResult r = lab(CG + """
            def c = container 'esc-dev-${suffix}', rootfs: '${tar}'
            say 'nodes=' + c.exec('ls -A /nodes | wc -w')
            say 'suid-mode=' + c.exec('stat -c %a /opt/euid')
            // the device cgroup is what stops a node that is somewhere without nodev: put two there from the host
            ['mknod', c.root.resolve('dev/kmsg').toString(), 'c', '1', '11'].execute().waitFor()
            ['mknod', c.root.resolve('dev/loop0').toString(), 'b', '7', '0'].execute().waitFor()
            say 'kmsg=' + c.run('head -c 1 /dev/kmsg >/dev/null && echo opened').output().readLines().join(' ')
            say 'loop0=' + c.run('head -c 1 /dev/loop0 >/dev/null && echo opened').output().readLines().join(' ')
            say 'null=' + c.run('echo x > /dev/null && head -c 4 /dev/zero | wc -c').output().trim()
            say 'root-options=' + c.mountinfo().find { it.mountPoint() == '/' }.options()
            say 'dev-options=' + c.mountinfo().find { it.mountPoint() == '/dev' }.options()
            say 'devices-list=' + (Cgroups.version() == Cgroups.Version.V1 ? cg(c, 'devices.list').readLines().join(';') : 'v2')
            """)
        Map<String, String> s = said(r)

        then: 'unpacking skipped the four device nodes and the setuid bit, and said so'
        r.output.contains('unpacked devices.tar: skipped 4 device nodes, cleared setuid/setgid on 1 file')
        s.nodes == '0'
        s['suid-mode'] == '755'

        and: "the root is nodev and nosuid in the container's own mountinfo; /dev is nosuid but not nodev"
        s['root-options'].split(',').toList().containsAll(['ro', 'nodev', 'nosuid'])
        s['dev-options'].split(',').toList().contains('nosuid') && !s['dev-options'].split(',').contains('nodev')

        and: 'on /dev, where device nodes do open (/dev/null did), kmsg and loop0 are refused with EPERM by the device cgroup'
        s.null == '4'
        s.kmsg.contains('Operation not permitted') && !s.kmsg.contains('opened')
        s.loop0.contains('Operation not permitted') && !s.loop0.contains('opened')
        Cgroups.version() != Cgroups.Version.V1 || s['devices-list'].split(';') as Set ==
                ['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:8 rwm', 'c 1:7 rwm', 'c 5:0 rwm', 'c 1:5 rwm', 'c 1:9 rwm', 'c 136:* rwm', 'c 5:2 rwm'] as Set
    }

    def "a setuid-root file written by a container gives a host user nothing when run by its host path in the upper directory"() {
        given: 'the control: the same program, setuid root on an ordinary host directory, does make nobody root'
        Path control = work.resolve('control-euid')
        Files.copy(euid, control)
        run('chmod', '4755', control.toString())
        assert run('setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', control.toString()).trim() == 'euid=0'

        when: 'a writable container copies it into its own layer and makes it setuid root; nobody on the host runs that file'
        LabResult r = lab("""
            def c = container 'esc-suid-${suffix}', rootfs: '${busyboxTree('suid-tree')}', writable: true
            say 'inside=' + c.exec('cp /opt/euid /euid && chmod 4755 /euid && stat -c %a:%u /euid')
            Path file = c.upper.resolve('euid')
            say 'host-mode=' + Integer.toOctalString((Files.getAttribute(file, 'unix:mode') as int) & 07777)
            Process p = new ProcessBuilder('setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', file.toString()).redirectErrorStream(true).start()
            String out = new String(p.inputStream.readAllBytes()).trim().readLines().join(' ')
            say 'as-nobody=' + out + ' status ' + p.waitFor()
            say 'upper-options=' + labsh.kernel.MountInfo.ofThisThread().findAll { file.toString().startsWith(it.mountPoint() + '/') }
                    .max { it.mountPoint().length() }.options()
            """)
        Map<String, String> s = said(r)
        println "the host user got: ${s['as-nobody']}"

        then: 'the file is setuid root in the upper directory, as the container left it'
        s.inside == '4755:0'
        s['host-mode'] == '4755'

        and: 'run by nobody it is not root: nosuid on the mount that holds the upper directory (or EACCES once the state directory is 0700)'
        s['upper-options'].split(',').toList().containsAll(['nosuid', 'nodev'])
        s['as-nobody'] == 'euid=65534 status 0' || s['as-nobody'].contains('Permission denied')
        !s['as-nobody'].contains('euid=0')
    }

    def "a fork loop in a default container stops at 1024 processes, and the container lives on"() {
        when: 'a default container starts sleepers until fork fails; the host reads the pids cgroup, then kills them by pid'
        LabResult r = lab(CG + """
            def c = container 'esc-fork-${suffix}'
            say 'pids-max=' + cg(c, 'pids.max')
            long before = (cg(c, 'pids.events').readLines().find { it.startsWith('max ') } ?: 'max 0').split(' ')[1] as long
            def loop = c.run('i=0; while [ \$i -lt 5000 ]; do sleep 600 </dev/null >/dev/null 2>&1 & i=\$((i+1)); done; echo spawned-all')
            say 'loop=' + loop.output().readLines().findAll { it.contains('fork') || it.contains('spawned') }.take(1).join(' ')
            say 'pids-current=' + cg(c, 'pids.current')
            long after = cg(c, 'pids.events').readLines().find { it.startsWith('max ') }.split(' ')[1] as long
            say 'refused-forks=' + (after - before)
            // the sleepers, by pid: the processes of this container's cgroup whose command is sleep
            cg(c, 'cgroup.procs', 'pids').readLines().collect { it as long }
                    .findAll { Files.exists(Path.of("/proc/\${it}/comm")) && Files.readString(Path.of("/proc/\${it}/comm")).trim() == 'sleep' }
                    .each { ProcessHandle.of(it).ifPresent { h -> h.destroyForcibly() } }
            for (int i = 0; i < 500 && (cg(c, 'pids.current') as int) > 10; i++) Thread.sleep(10)
            say 'alive=' + c.exec('echo alive; hostname').readLines().join(' ')
            """)
        Map<String, String> s = said(r)

        then:
        s['pids-max'] == '1024'
        s.loop.contains("can't fork") && !s.loop.contains('spawned-all')
        (s['pids-current'] as int) > 1000 && (s['pids-current'] as int) <= 1024
        (s['refused-forks'] as long) >= 1
        s.alive == "alive esc-fork-${suffix}"
    }

    def "an allocation beyond 512 MiB in a default container is OOM-killed in its own cgroup"() {
        when: 'tail holds 600 MiB of zeros (no newline, so all of it); it offers itself to the OOM killer first'
        LabResult r = lab(CG + """
            def c = container 'esc-mem-${suffix}'
            say 'memory-limit=' + c.cgroup.limits().memory
            long before = c.cgroup.oomKills()
            def under = c.run('echo 1000 > /proc/self/oom_score_adj; head -c ${64 << 20} /dev/zero | tail | wc -c')
            def over = c.run('echo 1000 > /proc/self/oom_score_adj; head -c ${600L << 20} /dev/zero | tail | wc -c')
            say 'under=' + under.output().trim()
            say 'over=' + over.output().trim()
            say 'oom-kills=' + (c.cgroup.oomKills() - before)
            say 'alive=' + c.exec('echo alive')
            """)
        Map<String, String> s = said(r)

        then: 'the default limit is in the kernel, 64 MiB fit, 600 MiB did not, and the group counted the kill'
        s['memory-limit'] == "${512L << 20}"
        r.output.contains('memory 536870912 bytes (default), 1024 processes (default)')
        s.under == "${64 << 20}"
        s.over != "${600L << 20}"
        (s['oom-kills'] as long) >= 1
        s.alive == 'alive'
    }

    def "limits a lab sets win over the defaults"() {
        when:
        LabResult r = lab(CG + """
            def c = container 'esc-lim-${suffix}', memory: '48m', cpu: 30
            say 'memory-limit=' + c.cgroup.limits().memory
            say 'pids-max=' + cg(c, 'pids.max')
            """)
        Map<String, String> s = said(r)

        then:
        s['memory-limit'] == "${48 << 20}"
        s['pids-max'] == '1024'
        r.output.contains("memory ${48 << 20} bytes, 1024 processes (default), cpu 30%")
    }

    def "a bind target under an image's symlink to a host directory is made inside the root, never on the host"() {
        given: 'an image whose /shared is an absolute symlink to an existing host directory the spec watches'
        Path decoy = Files.createDirectories(work.resolve('decoy'))
        Path tree = busyboxTree('bind-tree')
        Files.createSymbolicLink(tree.resolve('shared'), decoy)
        Path hostDir = Files.createDirectories(work.resolve('bound'))

        when: 'a writable container binds a host directory at /shared/x'
        Path script = work.resolve('bind.groovy')
        Files.writeString(script, """\
            lab 'bind through a symlink'
            step('try') {
                def c = container 'esc-bind-${suffix}', rootfs: '${tree}', writable: true, binds: ['${hostDir}': '/shared/x']
                say 'mounted=' + c.mountinfo().any { it.mountPoint() == '/shared/x' || it.mountPoint() == '${decoy}/x' }
            }
            """.stripIndent())
        LabResult r = LabRunner.run(script, new LabOptions(out: System.out, err: System.err))

        then: "the host's directory behind the symlink was never created: the target is resolved beneath the root (openat2 RESOLVE_IN_ROOT), and a symlink on its way is refused"
        !r.ok && r.error.message.contains("container esc-bind-${suffix}: cannot make /shared/x to bind onto")
        r.error.message.contains('ENOTDIR')
        !Files.exists(decoy.resolve('x'), LinkOption.NOFOLLOW_LINKS)
        decoy.toFile().list().length == 0
        Ledger.current().openEntries().isEmpty()
    }
}
