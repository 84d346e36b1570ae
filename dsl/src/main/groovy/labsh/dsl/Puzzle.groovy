package labsh.dsl

import labsh.kernel.MountInfo
import labsh.runtime.puzzle.MountCommand
import labsh.runtime.puzzle.MountPuzzle
import labsh.runtime.puzzle.Prediction

/**
 * The mount puzzle of seed 004 (problem 2) as a lab noun: the words inside
 * {@code mountPuzzle(parent: 'shared') { ... }}. Each {@code mount '...'} runs for real in the
 * puzzle's own mount namespace and prints the mount(2) call with the kernel's answer; a refusal
 * (EINVAL) is shown, as a shell would, and the lab goes on.
 */
class Puzzle {
    final MountPuzzle runtime
    final LabScript script
    final String variant

    Puzzle(MountPuzzle runtime, LabScript script) {
        this.runtime = runtime
        this.script = script
        this.variant = runtime.sharedParent() ? Prediction.SHARED : Prediction.PRIVATE
    }

    /** {@code mount '--bind /smt /tmp'}: runs it and prints the command and the kernel's answer. */
    MountPuzzle.Outcome mount(String commandLine) {
        MountPuzzle.Outcome o
        try {
            o = runtime.mount(commandLine)
        } catch (IllegalArgumentException e) {
            String typed = commandLine.trim().split(/\s+/).find { String w -> w.startsWith('-') }
            String near = typed != null && !MountCommand.OPTIONS.contains(typed) ? Suggest.closest(typed, MountCommand.OPTIONS) : null
            throw new LabException(near ? "mount: unknown option ${typed} — did you mean ${near}?" : e.message)
        }
        script.indent(o.toString())
        o
    }

    /** What every command so far did, in order. */
    List<MountPuzzle.Outcome> getOutcomes() { runtime.outcomes() }

    /** {@code tree DIR} in the puzzle's namespace, as tree(1) prints it. */
    String tree(String dir) { runtime.tree(dir) }

    /** Prints {@code tree DIR}. */
    void show(String dir) {
        script.indent('$ tree ' + dir)
        script.indent(tree(dir).stripTrailing())
    }

    /** The visible mount at a puzzle path, from the kernel's mountinfo of the puzzle's thread; null if none. */
    MountInfo mountAt(String path) { runtime.mountAt(path) }

    /** Prints the puzzle's mounts as findmnt draws them, with each one's propagation. */
    void showMounts() {
        script.indent("\$ findmnt -o TARGET,FSTYPE,PROPAGATION (under SCRATCH = ${runtime.scratch()})")
        script.indent(runtime.mountTree().stripTrailing())
    }

    /**
     * Predict-then-reveal: prints the student's expected {@code tree /smt} against the kernel's,
     * as a diff ({@code -} predicted but not there, {@code +} there but not predicted). Returns
     * true when they are the same; a wrong prediction is the lesson, not a failure of the lab.
     */
    boolean reveal(Prediction prediction) {
        if (prediction == null) {
            script.say 'No prediction given. Write yours first: labsh labs/mount-puzzle.groovy --predict my.txt'
            return false
        }
        List<String> expected = prediction.forVariant(variant)
        if (expected.isEmpty()) {
            script.say "Your prediction has no [${variant}] listing."
            return false
        }
        List<String> actual = Prediction.normalize(tree('/smt'))
        if (expected == actual) {
            script.say "Your prediction for tree /smt (${variant}) is what the kernel shows."
            return true
        }
        script.say "Your prediction for tree /smt (${variant}) against the kernel's (- yours only, + the kernel's only):"
        script.indent(Prediction.diff(expected, actual).join('\n'))
        false
    }
}
