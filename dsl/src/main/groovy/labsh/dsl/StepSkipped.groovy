package labsh.dsl

import groovy.transform.CompileStatic

/** Thrown by {@code skip 'reason'} inside a step: ends the step, marks it skipped, the lab goes on. */
@CompileStatic
class StepSkipped extends RuntimeException {
    StepSkipped(String reason) { super(reason, null, false, false) }
}
