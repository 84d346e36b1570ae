package labsh.dsl

import groovy.transform.CompileStatic
import java.time.Duration

/** One {@code step('name') { ... }} of a lab and how it went. */
@CompileStatic
class Step {
    enum Status { RUNNING, PASS, FAIL, SKIP }

    int number
    String name
    Status status = Status.RUNNING
    Duration duration = Duration.ZERO
    final List<Check> checks = []
    /** Why it failed (file:line: message) or was skipped; null when it passed. */
    String reason
    /** Where it failed, when it did. */
    LabError error

    boolean isPassed() { status == Status.PASS }
    boolean isFailed() { status == Status.FAIL }
    boolean isSkipped() { status == Status.SKIP }

    @Override
    String toString() { "step ${number} '${name}': ${status}" + (reason ? " (${reason})" : '') }
}
