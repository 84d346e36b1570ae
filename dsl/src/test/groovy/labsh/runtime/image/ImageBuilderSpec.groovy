package labsh.runtime.image

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.TempDir

/**
 * The image builder against the kernel's and the file system's view: a RUN's root as the container
 * itself sees it in its mountinfo, COPY layers, FROM a directory (never deleted) and FROM a tar.
 */
// overlay mounts and containers need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
class ImageBuilderSpec extends Specification {
    @TempDir Path dir
    Path images

    def setup() { images = dir.resolve('images') }

    def cleanup() {
        for (String f : Ledger.current().unwind()) System.err.println("could not remove ${f}")
    }

    def "a RUN's root is an overlay of the layers below with a fresh upper: the container's own mountinfo says so"() {
        given:
        ImageBuilder b = ImageBuilder.start('spec', images)
        Layer base = b.from('busybox')

        when:
        ImageBuilder.RunOutput r = b.run('grep " / / " /proc/self/mountinfo; echo data > /made')

        then: 'seen from inside: / is overlayfs, lowerdir the base layer, upperdir the new layer'
        String root = r.output().readLines()[0]
        MountInfo.parse(root).fsType() == 'overlay'
        MountInfo.parse(root).superOptions().contains("lowerdir=${base.dir()}")
        MountInfo.parse(root).superOptions().contains("upperdir=${r.layer().dir()}")

        and: 'the write is in the new layer only, and the overlay is unmounted again (host mountinfo)'
        Files.readString(r.layer().dir().resolve('made')) == 'data\n'
        !Files.exists(base.dir().resolve('made'))
        !MountInfo.of('self').any { it.fsType() == 'overlay' && it.mountPoint().startsWith(b.dir().toString()) }
    }

    def "COPY puts a host directory into a new layer, kept as it is (symlinks too), and docker diff shows it added"() {
        given:
        Path src = Files.createDirectories(dir.resolve('data'))
        Files.writeString(src.resolve('a'), 'alpha')
        Files.createSymbolicLink(src.resolve('link'), Path.of('a'))
        ImageBuilder b = ImageBuilder.start('spec', images)
        b.from('busybox')

        when:
        Layer l = b.copy(src.toString(), '/srv/data')
        ImageBuilder.RunOutput r = b.run('cat /srv/data/link')

        then:
        l.instruction() == "COPY ${src} /srv/data".toString()
        Files.isSymbolicLink(l.dir().resolve('srv/data/link'))
        l.changes(b.image().layers().subList(0, 1)) == ['A /srv', 'A /srv/data', 'A /srv/data/a', 'A /srv/data/link']
        r.output() == 'alpha'
    }

    def "FROM dir: uses the directory as it is and never deletes it; FROM tar: unpacks into a layer of its own"() {
        given: 'a base built once, then archived'
        ImageBuilder first = ImageBuilder.start('first', images)
        Path base = first.from('busybox').dir()
        Path tar = dir.resolve('base.tar')
        assert new ProcessBuilder('tar', '-C', base.toString(), '-cf', tar.toString(), '.').start().waitFor() == 0

        when:
        ImageBuilder fromDir = ImageBuilder.start('fromdir', images)
        Layer d = fromDir.from("dir:${base}")
        ImageBuilder.RunOutput r1 = fromDir.run('echo on-dir')
        ImageBuilder fromTar = ImageBuilder.start('fromtar', images)
        Layer t = fromTar.from("tar:${tar}")
        ImageBuilder.RunOutput r2 = fromTar.run('echo on-tar')

        then:
        d.dir() == base
        r1.output() == 'on-dir\n'
        t.dir() == fromTar.dir().resolve('layer-1')
        Files.isExecutable(t.dir().resolve('bin/busybox'))
        r2.output() == 'on-tar\n'

        when: 'the images of dir: and tar: are removed (their ledger entries unwound in reverse)'
        Ledger.current().openEntries().reverse().findAll { it.fields().path?.startsWith(fromDir.dir().toString()) || it.fields().path?.startsWith(fromTar.dir().toString()) }
                .each { labsh.runtime.Removers.remove(it.kind(), it.fields()); it.removed() }

        then: 'the directory given to dir: is still there; the tar layer is gone'
        Files.isExecutable(base.resolve('bin/busybox'))
        !Files.exists(fromTar.dir())
        !Files.exists(fromDir.dir())
    }

    def "the image size is the sum of the layers' du sizes, and a prefix of the image is the image as it was"() {
        given:
        ImageBuilder b = ImageBuilder.start('spec', images)
        b.from('busybox')
        b.run('head -c 1048576 /dev/urandom > /blob')
        Image img = b.image()

        expect:
        img.bytes() == img.layers().sum { Layer l -> duBytes(l.dir()) }
        img.upTo(1).layers() == img.layers().subList(0, 1)
        img.layer(2).bytes() >= 1048576
    }

    /** du(1) itself, to compare with. */
    private static long duBytes(Path p) {
        Process du = new ProcessBuilder('du', '-s', '-B1', '-x', p.toString()).start()
        String out = du.inputStream.text
        assert du.waitFor() == 0
        Long.parseLong(out.split(/\s+/)[0])
    }
}
