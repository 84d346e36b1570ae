package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.Privilege
import labsh.runtime.Cleaner
import spock.lang.Requires
import spock.lang.Specification

/**
 * The puzzle killed with SIGKILL while its mounts exist: the kernel frees its mount namespace (and
 * every mount in it) with the killed thread; `labsh clean` removes the scratch directory.
 */
// mount(2) and unshare(CLONE_NEWNS) need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
class MountPuzzleKillSpec extends Specification {
    // under target/, not /tmp: the puzzle promises never to touch the host's /tmp
    Path dir = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'killed')

    def cleanup() { dir.toFile().deleteDir() }

    /** Whether any task on the machine is in the mount namespace {@code inode} (tasks we may not read are skipped). */
    private static boolean namespaceInUse(String inode) {
        new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.collectMany { (new File(it, 'task').listFiles() ?: []) as List }.any { File t ->
            try { Files.readSymbolicLink(t.toPath().resolve('ns/mnt')).toString() == "mnt:[${inode}]" } catch (IOException ignored) { false }
        }
    }

    def "killed mid-puzzle, its namespace and mounts are gone with it, and labsh clean removes the scratch tree"() {
        given:
        Path marker = dir.resolve('mntns')
        Path script = Files.writeString(dir.resolve('killed.groovy'), """\
            lab 'killed mid-puzzle'
            mountPuzzle(parent: 'private') {
                mount '--bind /smt /smt'
                mount '--make-shared /smt'
                new File('${marker}').text = runtime.mountNamespace().toString()
                Thread.sleep(600_000)
            }
            """.stripIndent())
        KilledLab child = new KilledLab(script, dir.resolve('out.txt'), dir.resolve('state'))
        Path scratch = child.state.resolve("work/${child.pid()}/mount-puzzle-private")

        when:
        child.await('the puzzle\'s mounts') { Files.exists(marker) && !Files.readString(marker).isEmpty() }
        String mntns = Files.readString(marker)

        then: 'while it runs, the puzzle has its own namespace, and the host none of its mounts'
        namespaceInUse(mntns)
        !new File('/proc/self/mountinfo').text.contains(scratch.toString())

        when:
        child.kill9()

        then: 'the kernel freed the namespace with the killed thread; only the scratch directory is left'
        !namespaceInUse(mntns)
        Files.isDirectory(scratch)

        when:
        Cleaner.Report report = child.clean()

        then:
        report.ok()
        !Files.exists(scratch.parent)
        !(child.state.resolve('ledgers').toFile().list() ?: new String[0]).any { it.endsWith('.ledger') }

        cleanup:
        child?.close()
    }
}
