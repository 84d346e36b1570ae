package labsh.dsl

import groovy.transform.SelfType
import java.nio.file.Path
import labsh.runtime.puzzle.MountPuzzle
import labsh.runtime.puzzle.Prediction

/**
 * The words of seed 004, problem 2 (the mount propagation puzzle):
 * <pre>
 * Prediction guess = prediction(args)          // labsh labs/mount-puzzle.groovy --predict my.txt
 * mountPuzzle(parent: 'shared') {
 *     mount '--bind /smt /smt'
 *     ...
 *     show '/smt'
 *     reveal guess
 * }
 * </pre>
 */
@SelfType(LabScript)
trait PuzzleWords {
    /**
     * Runs {@code commands} against a fresh puzzle: a mount namespace of its own (one thread's),
     * a scratch tmpfs mounted there as SCRATCH, with SCRATCH/smt/1 and SCRATCH/tmp standing for
     * /smt/1 and /tmp. {@code parent: 'shared'} makes SCRATCH shared, as / is on a systemd host;
     * {@code 'private'} makes it private. Everything is unmounted and the namespace ends when the
     * block does, even if it fails.
     */
    Puzzle mountPuzzle(Map options, @DelegatesTo(value = Puzzle, strategy = Closure.DELEGATE_FIRST) Closure commands) {
        String parent = options.parent?.toString()
        if (!(parent in ['shared', 'private'])) {
            throw new LabException("mountPuzzle: parent: must be 'shared' or 'private' (got ${parent == null ? 'nothing' : "'" + parent + "'"})")
        }
        Path scratch = workdir("mount-puzzle-${parent}")
        MountPuzzle runtime = MountPuzzle.open(scratch, parent == 'shared')
        Puzzle p = new Puzzle(runtime, (LabScript) this)
        try {
            say "In a mount namespace of its own (${runtime.mountNamespace()}), /smt is SCRATCH/smt and /tmp is SCRATCH/tmp;"
            say "SCRATCH (${scratch}) is a tmpfs there, made ${parent}."
            commands.delegate = p
            commands.resolveStrategy = Closure.DELEGATE_FIRST
            commands.call()
        } finally {
            runtime.close()
        }
        p
    }

    /**
     * The student's prediction from the lab's arguments: {@code --predict FILE}, or null when none
     * was given. Anything else is one line naming what this lab takes.
     */
    Prediction prediction(List<String> arguments) {
        if (arguments.isEmpty()) return null
        if (arguments[0] != '--predict') {
            throw new LabException("unknown argument '${arguments[0]}' (this lab takes --predict FILE)")
        }
        if (arguments.size() != 2) {
            throw new LabException('--predict takes one file, the listing you expect: --predict my.txt')
        }
        Prediction.read(Path.of(arguments[1]))
    }

    /** The same, for {@code args} as the script's binding holds them (a String[], as in any Groovy script). */
    Prediction prediction(String[] arguments) { prediction(arguments as List<String>) }
}
