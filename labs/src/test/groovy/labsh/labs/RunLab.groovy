package labsh.labs

import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabRunner

/** A lab in a JVM of its own, for specs that kill -9 a running labsh: {@code RunLab SCRIPT}. */
class RunLab {
    static void main(String[] args) {
        LabRunner.run(Path.of(args[0]), new LabOptions(out: System.out, err: System.err))
    }
}
