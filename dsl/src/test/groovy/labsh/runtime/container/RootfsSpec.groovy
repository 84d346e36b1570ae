package labsh.runtime.container

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/** Root images: built from busybox, a directory, a tar file; and the one-line refusals. */
class RootfsSpec extends Specification {
    Path work = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'rootfs')

    def cleanup() {
        Ledger.current().unwind()
        work.toFile().deleteDir()
    }

    // mknod(1) of /dev/null needs CAP_MKNOD
    @Requires({ Privilege.isRoot() })
    def "busybox: a static busybox, a link per applet, device nodes, and it runs in that root"() {
        when:
        Rootfs r = Rootfs.busybox(work.resolve('bb'))
        Path root = r.single()

        then:
        r.layers() == [root]
        Files.isSymbolicLink(root.resolve('bin/sh')) && Files.readSymbolicLink(root.resolve('bin/sh')).toString() == '/bin/busybox'
        ['proc', 'dev', 'tmp', 'etc', 'sys'].every { Files.isDirectory(root.resolve(it)) }
        new ProcessBuilder('stat', '-c', '%F %t:%T', root.resolve('dev/null').toString()).start().text.trim() == 'character special file 1:3'
        new ProcessBuilder('chroot', root.toString(), '/bin/sh', '-c', 'echo $((6*7)) > /dev/null && echo ok').start().text.trim() == 'ok'
        Ledger.current().openEntries().any { it.kind() == 'container-dir' && it.fields().path == root.toString() }
    }

    @Requires({ Privilege.isRoot() })
    def "a tar file is unpacked into a recorded directory"() {
        given:
        Path src = Files.createDirectories(work.resolve('src/bin'))
        Files.writeString(src.resolve('hello'), 'hi')
        Path tar = work.resolve('rootfs.tar')
        assert new ProcessBuilder('tar', '-cf', tar.toString(), '-C', work.resolve('src').toString(), '.').start().waitFor() == 0

        when:
        Rootfs r = Rootfs.tar(tar, work.resolve('unpacked'))

        then:
        Files.readString(r.single().resolve('bin/hello')) == 'hi'
        r.toString() == "the tar file ${tar}"
    }

    def "a file that is not a tar is one line, and nothing is created"() {
        given:
        Path notTar = Files.writeString(work.resolve('rootfs.tar'), 'this is text, not a tar archive\n' * 40)

        when:
        Rootfs.tar(notTar, work.resolve('unpacked'))

        then:
        IllegalArgumentException e = thrown()
        e.message.startsWith("rootfs '${notTar}': not a tar archive (")
        !e.message.contains('\n')
        !Files.exists(work.resolve('unpacked'))
    }

    def "a rootfs that does not exist, or is a file, is one line: #what"() {
        given:
        Files.writeString(work.resolve('file.txt'), 'x')

        when:
        Rootfs.directory(work.resolve(name))

        then:
        IllegalArgumentException e = thrown()
        e.message == "rootfs '${work.resolve(name)}': ${says}"

        where:
        what        | name        || says
        'missing'   | 'nope'      || 'no such file or directory'
        'a file'    | 'file.txt'  || 'not a directory (give a directory or a .tar file)'
    }

    def "a tar path that does not exist is one line"() {
        when:
        Rootfs.tar(work.resolve('missing.tar'), work.resolve('unpacked'))

        then:
        IllegalArgumentException e = thrown()
        e.message == "rootfs '${work.resolve('missing.tar')}': no such file"
    }
}
