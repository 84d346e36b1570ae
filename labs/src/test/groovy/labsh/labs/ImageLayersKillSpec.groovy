package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.Cleaner
import spock.lang.Requires
import spock.lang.Specification

/** An image lab killed with SIGKILL in the middle of a RUN: `labsh clean` removes its overlay, container and layers. */
// overlay mounts and containers need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
class ImageLayersKillSpec extends Specification {
    // under target/, not /tmp: the puzzle promises never to touch the host's /tmp
    Path dir = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'killed')

    def cleanup() { dir.toFile().deleteDir() }

    private static boolean sleeperAlive(String marker) {
        new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.any { File p ->
            try { new File(p, 'cmdline').text.replace('\u0000', ' ').contains(marker) } catch (IOException ignored) { false }
        }
    }

    def "killed during a RUN, its overlay stays mounted until labsh clean, which leaves no mount, process or layer"() {
        given: 'a RUN that signals it is running, then sleeps in its container on the overlay'
        Path script = Files.writeString(dir.resolve('killed.groovy'), '''\
            lab 'killed mid-build'
            image('killed') {
                from 'busybox'
                run 'touch /running; exec sleep 617'
            }
            '''.stripIndent())
        KilledLab child = new KilledLab(script, dir.resolve('out.txt'), dir.resolve('state'))
        Path image = child.state.resolve("images/killed-${child.pid()}").toAbsolutePath()
        String merged = image.resolve('layer-2/merged').toString()

        when:
        child.await('the RUN') { Files.exists(image.resolve('layer-2/upper/running')) }
        child.kill9()

        then: 'the kernel still has what the killed lab made'
        MountInfo.at(MountInfo.of('self'), merged)?.fsType() == 'overlay'
        Files.isDirectory(image.resolve('layer-1/bin'))

        when:
        Cleaner.Report report = child.clean()

        then:
        report.ok()
        MountInfo.at(MountInfo.of('self'), merged) == null
        !Files.exists(image)
        !sleeperAlive('sleep 617')
        !(child.state.resolve('ledgers').toFile().list() ?: new String[0]).any { it.endsWith('.ledger') }

        cleanup:
        child?.close()
    }
}
