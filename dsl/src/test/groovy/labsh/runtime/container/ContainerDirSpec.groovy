package labsh.runtime.container

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.Mounts
import labsh.kernel.Namespaces
import labsh.kernel.Privilege
import labsh.kernel.NsType
import labsh.runtime.JoinedThread
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/** A container's directory: recorded before it exists, never deleted through a mount. */
class ContainerDirSpec extends Specification {
    Path work = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'cdir')

    def cleanup() { work.toFile().deleteDir() }

    def "recorded, then made; removed with its symlinks (not their targets); the entry closes"() {
        given:
        Path target = Files.writeString(work.resolve('outside'), 'keep me')

        when:
        Ledger.Entry e = ContainerDir.create(work.resolve('c1'))
        Files.createSymbolicLink(work.resolve('c1/link'), target)
        Files.createDirectories(work.resolve('c1/upper/bin'))

        then:
        e.kind() == 'container-dir' && e.fields().path == work.resolve('c1').toString()

        when:
        ContainerDir.removeRecorded(e.fields())
        e.removed()

        then:
        !Files.exists(work.resolve('c1'))
        Files.readString(target) == 'keep me'
    }

    def "a name in use is refused in one line"() {
        given:
        Files.createDirectories(work.resolve('c1'))

        when:
        ContainerDir.create(work.resolve('c1'))

        then:
        IllegalArgumentException e = thrown()
        e.message.startsWith("${work.resolve('c1')} already exists")
    }

    // a mount needs CAP_SYS_ADMIN; made in a throwaway mount namespace (unshare -m), on a joined thread
    @Requires({ Privilege.isRoot() })
    def "while something is mounted under it, it is not deleted (a bind of someone's files)"() {
        given:
        Path users = Files.createDirectories(work.resolve('users-files'))
        Files.writeString(users.resolve('precious'), 'x')
        Path dir = Files.createDirectories(work.resolve('c2/root'))
        Process holder = new ProcessBuilder('unshare', '--mount', '--propagation', 'private', 'sleep', '1000').start()
        while (Namespaces.of((int) holder.pid())[NsType.MNT] == Namespaces.of((int) ProcessHandle.current().pid())[NsType.MNT]) {
            Thread.sleep(10) // unshare execs sleep once the namespace exists
        }
        JoinedThread t = JoinedThread.join('cdir-spec', (int) holder.pid(), NsType.MNT)

        when:
        String refused = t.call {
            Mounts.bind(users.toString(), dir.toString(), false)
            try {
                ContainerDir.removeRecorded([path: work.resolve('c2').toString()])
                return null
            } catch (IllegalStateException e) {
                return e.message
            } finally {
                Mounts.umount(dir.toString(), true)
            }
        }

        then:
        refused?.startsWith("not deleting ${work.resolve('c2')}: ${dir} is still mounted")
        Files.readString(users.resolve('precious')) == 'x'

        cleanup:
        t?.close()
        holder?.destroyForcibly()?.waitFor()
    }
}
