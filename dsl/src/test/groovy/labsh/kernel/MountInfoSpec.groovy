package labsh.kernel

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.TempDir

class MountInfoSpec extends Specification {
    @TempDir Path dir

    def "a mountinfo line, optional fields and escaped paths, as proc(5) documents it"() {
        when:
        def m = MountInfo.parse('36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue')

        then:
        m.id() == 36
        m.parentId() == 35
        m.root() == '/mnt1'
        m.mountPoint() == '/mnt 2'
        m.peerGroup() == 7
        m.masterGroup() == 1
        m.propagation() == 'shared,slave'
        m.fsType() == 'ext3'
        m.source() == '/dev/root'
    }

    def "this process's mounts and their propagation are what findmnt reads"() {
        expect:
        pairs(MountInfo.of('self')) == findmnt('--task', "${ProcessHandle.current().pid()}")
    }

    // Mounting, even in a throwaway mount namespace, needs CAP_SYS_ADMIN.
    @Requires({ Privilege.isRoot() })
    def "shared, slave, shared+slave, unbindable and private mounts in a throwaway mount namespace read as findmnt reads them"() {
        given: 'a process in its own mount namespace that makes one mount of each kind (the host is untouched)'
        def ready = dir.resolve('ready')
        def script = """
            cd '${dir}' && mkdir -p a b s c p
            mount -t tmpfs labsh-spec-a a && mount --make-shared a
            mount --bind a b && mount --make-slave b
            mount --bind a s && mount --make-slave s && mount --make-shared s
            mount -t tmpfs labsh-spec-c c && mount --make-unbindable c
            mount -t tmpfs labsh-spec-p p && mount --make-private p
            touch '${ready}'; exec sleep 1000"""
        Process p = new ProcessBuilder('unshare', '--mount', '--propagation', 'private', 'sh', '-c', script).redirectErrorStream(true).start()
        while (!Files.exists(ready) && p.alive) Thread.sleep(20)
        int pid = (p.toHandle().descendants().findFirst().orElse(p.toHandle()).pid() ?: p.pid()) as int

        when:
        def mounts = MountInfo.of(pid)
        def byPoint = { String name -> MountInfo.at(mounts, dir.resolve(name).toString()) }

        then: 'each mount as the kernel flags it'
        byPoint('a').propagation() == 'shared'
        byPoint('b').propagation() == 'private,slave'
        byPoint('s').propagation() == 'shared,slave'
        byPoint('c').propagation() == 'private,unbindable'
        byPoint('p').propagation() == 'private'
        byPoint('b').masterGroup() == byPoint('a').peerGroup()

        and: 'and the whole table agrees with util-linux findmnt'
        pairs(mounts) == findmnt('--task', "$pid")

        and: 'none of it is visible on the host'
        MountInfo.of('self').every { !it.mountPoint().startsWith(dir.toString()) }

        cleanup:
        p?.toHandle()?.descendants()?.forEach { it.destroyForcibly() }
        p?.destroyForcibly()
        p?.waitFor(5, TimeUnit.SECONDS)
    }

    def "the tree puts children under their parent"() {
        expect:
        MountInfo.tree(MountInfo.of('self')).readLines().first().startsWith('/')
        MountInfo.tree(MountInfo.of('self')).contains('└─')
    }

    def "a pid that is not a process gets one line"() {
        when:
        MountInfo.of(999999999)

        then:
        def e = thrown(Namespaces.NoSuchProcessException)
        e.message == 'no process with pid 999999999 (nothing at /proc/999999999)'
    }

    private static List<List<String>> pairs(List<MountInfo> mounts) {
        mounts.collect { [it.mountPoint(), it.propagation()] }
    }

    /** findmnt -r escapes a space as \x20; its list order is the kernel's. */
    private static List<List<String>> findmnt(String... args) {
        def cmd = ['findmnt', '-n', '-r', '-o', 'TARGET,PROPAGATION'] + (args as List)
        def text = new ProcessBuilder(cmd).start().inputStream.text
        text.readLines().collect { line ->
            def (target, prop) = line.split(' ') as List
            [target.replaceAll(/\\x([0-9a-f]{2})/) { all, hex -> (Integer.parseInt(hex, 16) as char).toString() }, prop]
        }
    }
}
