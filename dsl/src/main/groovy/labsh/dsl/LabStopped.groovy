package labsh.dsl

import groovy.transform.CompileStatic

/**
 * Thrown through the script when a step (or a check outside a step) failed: stops the lab.
 * Internal to the DSL; {@link LabRunner} turns it into {@link LabResult#error}.
 */
@CompileStatic
class LabStopped extends RuntimeException {
    final LabError error

    LabStopped(LabError error, Throwable cause) {
        super(error.toString(), cause, false, false)
        this.error = error
    }
}
