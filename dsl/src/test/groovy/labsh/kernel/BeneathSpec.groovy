package labsh.kernel

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

class BeneathSpec extends Specification {
    @TempDir Path tmp

    def "deleteTree removes a tree and a symlink in place of a directory, never the symlink's target"() {
        given:
        Path top = Files.createDirectories(tmp.resolve('top'))
        Files.createDirectories(top.resolve('a/b'))
        Files.writeString(top.resolve('a/b/f'), 'x')
        Path decoy = Files.createDirectories(tmp.resolve('decoy'))
        Files.writeString(decoy.resolve('keep'), 'host file')
        Files.createSymbolicLink(top.resolve('a/link'), decoy)

        when:
        int n
        Beneath.open(tmp).withCloseable { n = it.deleteTree('top') }

        then:
        !Files.exists(top)
        n == 5
        Files.readString(decoy.resolve('keep')) == 'host file'
    }

    def "a name through a symlink or out of the directory is refused"() {
        given:
        Files.writeString(tmp.resolve('secret'), 'no')
        Path dir = Files.createDirectories(tmp.resolve('d'))
        Files.createSymbolicLink(dir.resolve('link'), tmp.resolve('secret'))
        Files.writeString(Files.createDirectories(tmp.resolve('other')).resolve('secret'), 'no')
        Files.createSymbolicLink(dir.resolve('up'), Path.of('../other'))

        when:
        List<String> errors = Beneath.open(dir).withCloseable { Beneath b ->
            ['link', '../secret', 'up/secret'].collect { String n ->
                try { b.read(n, 100); 'read' } catch (KernelException e) { Errno.name(e.errno()) }
            }
        }

        then:
        errors == ['ELOOP', 'EXDEV', 'ELOOP']
    }

    def "mkdirs makes the directories beneath, and AS_ROOT keeps an absolute symlink inside the root"() {
        given:
        Path root = Files.createDirectories(tmp.resolve('root'))
        Path outside = Files.createDirectories(tmp.resolve('outside'))
        Files.createSymbolicLink(root.resolve('data'), Path.of('/etc-of-the-container'))

        when:
        Beneath.open(root, Beneath.AS_ROOT).withCloseable { it.mkdirs('data2/x/y', 0755) }

        then:
        Files.isDirectory(root.resolve('data2/x/y'))

        when: 'a name through the absolute symlink does not reach the host'
        Beneath.open(root, Beneath.STRICT).withCloseable { it.mkdirs('data/z', 0755) }

        then:
        KernelException e = thrown()
        Errno.name(e.errno()) in ['ELOOP', 'ENOTDIR'] // O_NOFOLLOW|O_DIRECTORY on a symlink: ENOTDIR
        !Files.exists(Path.of('/etc-of-the-container'))
        outside.toFile().list().length == 0
    }

    @spock.lang.Requires({ Privilege.isRoot() })
    def "deleteTree never reaches into a mount below the tree: EXDEV, and the mounted files stay"() {
        given: 'a tmpfs mounted inside a tree, with a file in it'
        Path top = Files.createDirectories(tmp.resolve('top/sub'))
        assert ['mount', '-t', 'tmpfs', 'tmpfs', top.toString()].execute().waitFor() == 0
        Files.writeString(top.resolve('kept'), 'on the tmpfs')

        when:
        Beneath.open(tmp).withCloseable { it.deleteTree('top') }

        then:
        KernelException e = thrown()
        Errno.name(e.errno()) == 'EXDEV'
        Files.readString(top.resolve('kept')) == 'on the tmpfs'

        cleanup:
        ['umount', top.toString()].execute().waitFor()
    }
}
