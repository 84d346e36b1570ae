package labsh.runtime.container

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/** A container's root as the host's mountinfo shows it: an overlay, or a read-only bind. */
// mounts need CAP_SYS_ADMIN
@Requires({ Privilege.isRoot() })
class OverlaySpec extends Specification {
    Path work = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'overlay')
    Path image = Files.createDirectories(work.resolve('image/bin'))

    def setup() { Files.writeString(image.resolve('tool'), 'from the image') }

    def cleanup() {
        Ledger.current().unwind()
        work.toFile().deleteDir()
    }

    def "writable: lowerdir is the image, writes land in upper, the image stays as it was"() {
        given:
        Path dir = work.resolve('c1')

        when:
        Overlay o = Overlay.mount(Rootfs.directory(work.resolve('image')), dir, dir.resolve('root'), true)
        MountInfo m = MountInfo.at(MountInfo.ofThisThread(), dir.resolve('root').toString())
        Files.writeString(o.mountPoint().resolve('bin/tool'), 'changed')

        then:
        m.fsType() == 'overlay'
        m.superOptions().contains("lowerdir=${work.resolve('image')},upperdir=${dir.resolve('upper')},workdir=${dir.resolve('work')}")
        Files.readString(dir.resolve('upper/bin/tool')) == 'changed'
        Files.readString(image.resolve('tool')) == 'from the image'
        Ledger.current().openEntries().any { it.kind() == 'mount' && it.fields().path == dir.resolve('root').toString() }

        when:
        o.unmount()

        then:
        MountInfo.at(MountInfo.ofThisThread(), dir.resolve('root').toString()) == null
        !Ledger.current().openEntries().any { it.kind() == 'mount' && it.fields().path == dir.resolve('root').toString() }
    }

    def "read-only: a bind of the image remounted ro; a write fails with EROFS"() {
        given:
        Path dir = work.resolve('c2')

        when:
        Overlay o = Overlay.mount(Rootfs.directory(work.resolve('image')), dir, dir.resolve('root'), false)
        MountInfo m = MountInfo.at(MountInfo.ofThisThread(), dir.resolve('root').toString())

        then:
        m.root() == work.resolve('image').toString()
        m.options().split(',').contains('ro')
        o.upper() == null

        when:
        Files.writeString(o.mountPoint().resolve('bin/tool'), 'changed')

        then:
        IOException e = thrown()
        e.message.contains('Read-only file system')

        cleanup:
        o?.unmount()
    }

    def "several layers, read-only: an overlay of lower layers only, the top one wins"() {
        given:
        Path top = Files.createDirectories(work.resolve('top/bin'))
        Files.writeString(top.resolve('tool'), 'from the top layer')
        Path dir = work.resolve('c3')

        when:
        Overlay o = Overlay.mount(Rootfs.layers([work.resolve('top'), work.resolve('image')], 'two layers'), dir, dir.resolve('root'), false)

        then:
        Files.readString(o.mountPoint().resolve('bin/tool')) == 'from the top layer'
        MountInfo.at(MountInfo.ofThisThread(), dir.resolve('root').toString()).superOptions().contains("lowerdir=${work.resolve('top')}:${work.resolve('image')}")

        cleanup:
        o?.unmount()
    }
}
