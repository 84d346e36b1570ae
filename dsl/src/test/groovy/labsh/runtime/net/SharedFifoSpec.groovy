package labsh.runtime.net

import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import labsh.kernel.MountInfo
import labsh.kernel.NsType
import labsh.kernel.Privilege
import labsh.runtime.LaunchSpec
import labsh.runtime.Ledger
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

/**
 * A FIFO in a host directory, bind-mounted into two running, pivot_root'ed containers: the same
 * inode in both (stat through /proc/PID/root), a mount in each one's mountinfo, and a line written
 * in one is read in the other.
 */
// Containers and mounts need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
class SharedFifoSpec extends Specification {
    @Shared Path work = Path.of('target/shared-fifo-spec').toAbsolutePath()
    @Shared Path rootfs = work.resolve('rootfs')
    List<AutoCloseable> opened = []

    def setupSpec() {
        Files.createDirectories(rootfs.resolve('bin'))
        ['proc', 'tmp'].each { Files.createDirectories(rootfs.resolve(it)) }
        def busybox = rootfs.resolve('bin/busybox')
        if (!Files.exists(busybox)) Files.copy(Path.of('/bin/busybox'), busybox)
        ['sh', 'cat', 'echo', 'sleep'].each {
            def link = rootfs.resolve("bin/$it")
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of('busybox'))
        }
    }

    def cleanup() {
        opened.reverse().each { it.close() }
    }

    private NsProcess container() {
        def p = NativeStage.start(LaunchSpec.command('/bin/sleep', '60').namespaces(NsType.PID, NsType.MNT)
                .rootfs(rootfs.toString()).init(true).build())
        opened << p
        p
    }

    private static long inode(Path p) { Files.getAttribute(p, 'unix:ino') as long }

    def "the FIFO's directory is bind-mounted into two running containers: one inode, a mount in each"() {
        given:
        def c1 = container()
        def c2 = container()
        def dir = work.resolve("fifo-${System.nanoTime()}")

        when:
        def fifo = SharedFifo.create('pipe', dir)
        opened << fifo
        fifo.bindInto(c1.pid(), '/shared')
        fifo.bindInto(c2.pid(), '/shared')

        then: 'a FIFO on the host'
        ((Files.getAttribute(fifo.path(), 'unix:mode') as int) & 0170000) == 0010000 // S_IFIFO
        and: 'the same inode through each container\'s root'
        inode(Path.of("/proc/${c1.pid()}/root/shared/pipe")) == inode(fifo.path())
        inode(Path.of("/proc/${c2.pid()}/root/shared/pipe")) == inode(fifo.path())
        and: 'a mount at /shared in each container\'s mountinfo, none on the host'
        [c1, c2].every { c -> MountInfo.of(c.pid()).any { it.mountPoint() == '/shared' } }
        !MountInfo.of((int) ProcessHandle.current().pid()).any { it.mountPoint() == '/shared' }
    }

    def "what a process in one container writes, a process in the other reads"() {
        given:
        def c1 = container()
        def c2 = container()
        def fifo = SharedFifo.create('pipe', work.resolve("fifo-${System.nanoTime()}"))
        opened << fifo
        fifo.bindInto(c1.pid(), '/shared')
        fifo.bindInto(c2.pid(), '/shared')

        when: 'a reader in c2 waits on the FIFO; a writer in c1 writes one line'
        def reader = NativeStage.start(LaunchSpec.command('cat', '/shared/pipe').join(c2.pid())
                .namespaces(NsType.MNT, NsType.PID).stdout(Redirect.PIPE).build())
        opened << reader
        def writer = NativeStage.joinAndRun(c1.pid(), EnumSet.of(NsType.MNT, NsType.PID), ['sh', '-c', 'echo hello from c1 > /shared/pipe'])

        then:
        writer.exitCode() == 0
        reader.waitFor(10, TimeUnit.SECONDS)
        new String(reader.stdout().readAllBytes()) == 'hello from c1\n'
    }

    def "closing unmounts it from the running containers and removes the FIFO and its directory; the ledger has nothing of it open"() {
        given:
        def c1 = container()
        def dir = work.resolve("fifo-${System.nanoTime()}")
        def fifo = SharedFifo.create('pipe', dir)
        fifo.bindInto(c1.pid(), '/shared')

        when:
        fifo.close()

        then:
        !Files.exists(dir)
        !MountInfo.of(c1.pid()).any { it.mountPoint() == '/shared' }
        Ledger.current().openEntries().every { !it.fields().values().any { v -> v.toString().startsWith(dir.toString()) } }
    }

    def "bad input is one sentence: #why"() {
        when:
        SharedFifo.create(name, work.resolve("fifo-${System.nanoTime()}"))

        then:
        def e = thrown(IllegalArgumentException)
        e.message == message

        where:
        why            | name      | message
        'a slash'      | 'a/b'     | "'a/b' cannot name a FIFO: use letters, digits, '.', '_' or '-'"
        'dot-dot'      | '..'      | "'..' cannot name a FIFO: use letters, digits, '.', '_' or '-'"
    }
}
