package labsh.kernel

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import labsh.runtime.JoinedThread
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.TempDir

/**
 * Every mount here is made on a thread joined to a throwaway mount namespace (a `sleep` started
 * by unshare -m), and read back from that process's /proc/PID/mountinfo: the host never sees one.
 */
// mount(2) and setns(2) need CAP_SYS_ADMIN.
@Requires({ Privilege.isRoot() })
class MountsSpec extends Specification {
    @TempDir Path dir
    Process holder
    JoinedThread ns

    def setup() {
        holder = new ProcessBuilder('unshare', '--mount', '--propagation', 'private', 'sleep', '1000').start()
        // unshare execs sleep in the same process once the namespace exists
        long deadline = System.nanoTime() + 5_000_000_000L
        while (Namespaces.of((int) holder.pid())[NsType.MNT] == Namespaces.of((int) ProcessHandle.current().pid())[NsType.MNT]) {
            assert System.nanoTime() < deadline
            Thread.sleep(10)
        }
        ns = JoinedThread.join('mounts-spec', (int) holder.pid(), NsType.MNT)
        ['a', 'b', 'moved', 'parent'].each { Files.createDirectories(dir.resolve(it)) }
    }

    def cleanup() {
        ns?.close()
        holder?.destroyForcibly()
        holder?.waitFor(5, TimeUnit.SECONDS)
    }

    private MountInfo at(String name) { MountInfo.at(MountInfo.of((int) holder.pid()), dir.resolve(name).toString()) }

    def "mount, bind, change propagation and unmount, as the kernel records them"() {
        given:
        String a = dir.resolve('a')
        String b = dir.resolve('b')

        when:
        ns.call { Mounts.mount('labsh-spec', a, 'tmpfs', 0, 'size=1m'); Mounts.makeShared(a, false) }

        then:
        at('a').fsType() == 'tmpfs'
        at('a').propagation() == 'shared'

        when: 'a bind of a shared mount joins its peer group; made a slave, it receives from it'
        ns.call { Mounts.bind(a, b, false); Mounts.makeSlave(b, false) }

        then:
        at('b').masterGroup() == at('a').peerGroup()
        at('b').propagation() == 'private,slave'

        when:
        ns.call { Mounts.umount(b, false); Mounts.umount(a, true) }

        then:
        at('a') == null
        at('b') == null

        and: 'the host never saw any of it'
        MountInfo.of('self').every { !it.mountPoint().startsWith(dir.toString()) }
    }

    def "moving a mount that sits under a shared mount is refused with EINVAL (mount_namespaces(7))"() {
        given:
        String parent = dir.resolve('parent')
        ns.call {
            Mounts.mount('labsh-spec', parent, 'tmpfs', 0, null)
            Mounts.makeShared(parent, false)
            Files.createDirectories(Path.of(parent, 'child'))
            Mounts.mount('labsh-spec', "$parent/child", 'tmpfs', 0, null)
        }

        when:
        ns.call { Mounts.move("$parent/child", dir.resolve('moved').toString()) }

        then:
        def e = thrown(KernelException)
        e.errno() == Errno.EINVAL
        e.message == "mount(\"$parent/child\", \"${dir.resolve('moved')}\", NULL, MS_MOVE, NULL) failed: EINVAL (Invalid argument)".toString()
    }

    def "a moved mount is in the ledger where it now is, so the unwind unmounts it there"() {
        given:
        String a = dir.resolve('a')
        String moved = dir.resolve('moved')
        ns.call { Mounts.mount('labsh-spec', a, 'tmpfs', 0, null) }

        when:
        ns.call { Mounts.move(a, moved) }
        def open = labsh.runtime.Ledger.current().openEntries().findAll { it.kind() == 'mount' && it.fields().path in [a, moved] }

        then: 'the kernel has it at the new place only, and so has the ledger'
        at('moved').fsType() == 'tmpfs'
        at('a') == null
        open*.fields()*.path == [moved]

        when:
        ns.call { labsh.runtime.Removers.remove('mount', open[0].fields()) }

        then:
        at('moved') == null

        cleanup:
        open?.each { it.removed() }
    }

    def "a failed mount names the call, its flags and errno"() {
        when:
        ns.call { Mounts.bind('/no/such/dir', dir.resolve('a').toString(), true) }

        then:
        def e = thrown(KernelException)
        e.message == "mount(\"/no/such/dir\", \"${dir.resolve('a')}\", NULL, MS_BIND|MS_REC, NULL) failed: ENOENT (No such file or directory)".toString()
    }

    def "a mount is in the ledger, with its namespace, until it is unmounted; the unwind unmounts what is left"() {
        given:
        String a = dir.resolve('a')

        when:
        ns.call { Mounts.mount('labsh-spec', a, 'tmpfs', 0, null) }
        def entry = labsh.runtime.Ledger.current().openEntries().find { it.kind() == 'mount' && it.fields().path == a }

        then:
        entry != null
        entry.fields().mntns == "${Namespaces.of((int) holder.pid())[NsType.MNT]}"

        when: 'the remover, run on a thread in that namespace, as the unwind of a joined role would'
        ns.call { labsh.runtime.Removers.remove('mount', entry.fields()) }

        then: 'the kernel no longer lists it'
        at('a') == null

        cleanup:
        entry?.removed()
    }
}
