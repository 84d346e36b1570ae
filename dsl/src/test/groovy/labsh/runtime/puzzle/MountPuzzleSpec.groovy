package labsh.runtime.puzzle

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.Errno
import labsh.kernel.MountInfo
import labsh.kernel.Mounts
import labsh.runtime.JoinedThread
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/**
 * The puzzle's four commands in a thread's own mount namespace, checked against that thread's
 * /proc/PID/task/TID/mountinfo, the host's mountinfo (never touched) and the namespace's end.
 */
// mount(2) and unshare(CLONE_NEWNS) need CAP_SYS_ADMIN.
@Requires({ Privilege.isRoot() })
class MountPuzzleSpec extends Specification {
    static final List<String> SEED = ['--bind /smt /smt', '--make-shared /smt', '--bind /smt /tmp', '--move /tmp /smt/1']

    // under target/, not /tmp: the puzzle promises never to touch the host's /tmp
    Path dir = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'puzzle')
    MountPuzzle puzzle

    def cleanup() {
        puzzle?.close()
        dir.toFile().deleteDir()
    }

    private static List<String> hostMountsUnder(Path p) {
        MountInfo.of('self')*.mountPoint().findAll { it.startsWith(p.toString()) }
    }

    def "under a shared parent the move is refused with EINVAL, and /smt keeps only its empty 1"() {
        given:
        puzzle = MountPuzzle.open(dir, true)

        when:
        List<MountPuzzle.Outcome> outcomes = SEED.collect { puzzle.mount(it) }

        then: 'the first three succeed, the move fails with the kernel\'s EINVAL'
        outcomes[0..2]*.ok() == [true, true, true]
        !outcomes[3].ok()
        outcomes[3].failure().errno() == Errno.EINVAL
        outcomes[3].call() == "mount(\"$dir/tmp\", \"$dir/smt/1\", NULL, MS_MOVE, NULL) = -1 EINVAL (Invalid argument)".toString()

        and: 'the kernel: SCRATCH shared, /smt and /tmp peers of one group, nothing at /smt/1'
        puzzle.mountAt('/smt').propagation() == 'shared'
        puzzle.mountAt('/tmp').peerGroup() == puzzle.mountAt('/smt').peerGroup()
        MountInfo.at(puzzle.mounts(), dir.toString()).propagation() == 'shared'
        puzzle.mountAt('/smt/1') == null

        and:
        puzzle.tree('/smt') == '/smt\n└── 1\n\n1 directory, 0 files\n'
        puzzle.tree('/tmp') == '/tmp\n└── 1\n\n1 directory, 0 files\n'

        and: 'the host never saw a mount there'
        hostMountsUnder(dir).isEmpty()
    }

    def "all private, the move succeeds and propagates: /smt/1 and /smt/1/1 are mounts, three levels of 1"() {
        given:
        puzzle = MountPuzzle.open(dir, false)

        when:
        List<MountPuzzle.Outcome> outcomes = SEED.collect { puzzle.mount(it) }

        then:
        outcomes*.ok() == [true, true, true, true]
        MountInfo.at(puzzle.mounts(), dir.toString()).propagation() == 'private'
        puzzle.mountAt('/tmp') == null
        puzzle.mountAt('/smt/1') != null
        puzzle.mountAt('/smt/1/1') != null
        puzzle.mountAt('/smt/1').peerGroup() == puzzle.mountAt('/smt').peerGroup()

        and: 'listed with java.nio in the namespace, as tree(1) would'
        puzzle.tree('/smt') == '/smt\n└── 1\n    └── 1\n        └── 1\n\n3 directories, 0 files\n'

        and:
        hostMountsUnder(dir).isEmpty()
    }

    def "closing unmounts everything, the namespace is gone, and the ledger holds nothing of it"() {
        given:
        puzzle = MountPuzzle.open(dir, false)
        SEED.each { puzzle.mount(it) }
        long mntns = puzzle.mountNamespace()
        int tid = puzzle.tid()

        when:
        puzzle.close()

        then:
        !Files.exists(Path.of("/proc/self/task/$tid"))
        !namespaceInUse(mntns)
        Ledger.current().openEntries().findAll { it.kind() == 'mount' && it.fields().path?.startsWith(dir.toString()) }.isEmpty()
        hostMountsUnder(dir).isEmpty()
    }

    /** Whether any task on the machine is in the mount namespace {@code inode} (tasks we may not read are skipped). */
    private static boolean namespaceInUse(long inode) {
        for (File task : new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.collectMany { new File(it, 'task').listFiles() as List ?: [] }) {
            try {
                if (Files.readSymbolicLink(task.toPath().resolve('ns/mnt')).toString() == "mnt:[$inode]") return true
            } catch (IOException ignored) {
                // ended while we looked, or not ours to read (a ptrace check)
            }
        }
        false
    }

    def "the puzzle's thread copies the host's mounts as private: a mount under a shared host mount stays in its namespace"() {
        given: 'a shared tmpfs on the host (the host root may be private: make a mount that is shared)'
        String shared = dir.resolve('shared').toString()
        Files.createDirectories(dir.resolve('shared'))
        Mounts.mount('labsh-spec', shared, 'tmpfs', 0, 'size=1m')
        Mounts.makeShared(shared, false)
        JoinedThread ns = JoinedThread.ownMountNamespace('propagation-spec')

        when:
        String inside = ns.call {
            Files.createDirectories(Path.of(shared, 'inner'))
            Mounts.mount('labsh-spec', "${shared}/inner".toString(), 'tmpfs', 0, 'size=1m')
            MountInfo.at(MountInfo.ofThisThread(), shared).propagation()
        }

        then: 'its copy of the shared mount is private, and the host does not see the inner mount'
        inside == 'private'
        MountInfo.at(MountInfo.of('self'), shared).propagation() == 'shared'
        MountInfo.at(MountInfo.of('self'), "${shared}/inner".toString()) == null

        cleanup:
        ns?.run { Mounts.umount("${shared}/inner".toString(), true) }
        ns?.close()
        Mounts.umount(shared, true)
    }

    def "a command that is not the puzzle's is one line, and nothing runs"() {
        given:
        puzzle = MountPuzzle.open(dir, false)

        when:
        puzzle.mount(line)

        then:
        def e = thrown(IllegalArgumentException)
        e.message == message
        puzzle.outcomes().isEmpty()

        where:
        line                    | message
        '--bnd /smt /smt'       | 'mount: unknown option --bnd (the puzzle knows --bind, --rbind, --move, --make-shared, --make-private, --make-slave, --make-unbindable, --make-rshared, --make-rprivate, --make-rslave)'
        '--bind /smt'           | 'mount --bind takes 2 paths (source, target), got 1'
        '--bind /etc /smt'      | 'mount: /etc is not in the puzzle: only /smt and /tmp (and what is under them) exist, mapped onto the scratch tree'
        '--move /tmp/../etc /x' | 'mount: /tmp/../etc is not in the puzzle: only /smt and /tmp (and what is under them) exist, mapped onto the scratch tree'
    }
}
