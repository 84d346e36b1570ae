// Seed 004, problem 2 ('mount'): what do /smt, /smt/1 and /smt/1/1 hold after
//     mount --bind /smt /smt; mount --make-shared /smt; mount --bind /smt /tmp; mount --move /tmp /smt/1
// Think first: write the tree you expect in a file and run
//     labsh labs/mount-puzzle.groovy --predict my.txt
// (a tree /smt listing; a line [shared] or [private] starts the one for each variant).
// The commands run for real, in a throwaway mount namespace, on a scratch tree: never on the host's /tmp.
import labsh.runtime.puzzle.Prediction

lab 'seed 004, problem 2: the mount propagation puzzle'

Prediction guess = prediction(args)

step('under a shared parent, as / is on a systemd host') {
    mountPuzzle(parent: 'shared') {
        mount '--bind /smt /smt'
        mount '--make-shared /smt'
        mount '--bind /smt /tmp'
        def move = mount '--move /tmp /smt/1'
        check('the move is refused by the kernel: EINVAL') { !move.ok() && move.failure().errno() == Errno.EINVAL }
        say 'mount_namespaces(7): moving a mount that resides under a shared mount is invalid (MS_MOVE).'
        showMounts()
        check('/smt and /tmp are mounts of one peer group (mountinfo shared:N)') {
            mountAt('/smt').peerGroup() != 0 && mountAt('/tmp').peerGroup() == mountAt('/smt').peerGroup()
        }
        check('nothing is mounted at /smt/1') { mountAt('/smt/1') == null }
        show '/smt'
        check('/smt holds only 1, and 1 is empty: /smt/1/1 does not exist') {
            tree('/smt') == '/smt\n└── 1\n\n1 directory, 0 files\n'
        }
        reveal guess
    }
}

step('all private') {
    mountPuzzle(parent: 'private') {
        mount '--bind /smt /smt'
        mount '--make-shared /smt'
        mount '--bind /smt /tmp'
        def move = mount '--move /tmp /smt/1'
        check('the move succeeds under a private parent') { move.ok() }
        say 'The move is a mount event under /smt, which is shared with the moved mount itself: it propagates,'
        say 'so a copy appears at /smt/1/1 too (mount_namespaces(7), "Shared subtrees").'
        showMounts()
        check('/smt/1 and /smt/1/1 are mounts, peers of /smt') {
            mountAt('/smt/1') != null && mountAt('/smt/1/1') != null && mountAt('/smt/1').peerGroup() == mountAt('/smt').peerGroup()
        }
        check('/tmp is no longer a mount (it moved)') { mountAt('/tmp') == null }
        show '/smt'
        check('the nested tree: /smt/1/1/1 is the empty directory of the original /smt/1') {
            tree('/smt') == '/smt\n└── 1\n    └── 1\n        └── 1\n\n3 directories, 0 files\n'
        }
        reveal guess
    }
}
