package labsh.labs

import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabRunner

/** A lab in a JVM of its own, as `labsh LAB` runs it: for specs that kill it with SIGKILL. */
class RunLab {
    static void main(String[] args) {
        System.exit(LabRunner.run(Path.of(args[0]), new LabOptions(out: System.out, err: System.err)).ok ? 0 : 1)
    }
}
