package labsh.dsl

import groovy.transform.CompileStatic

/** What running a lab gave: each step and check, the text it printed, and the error that stopped it. */
@CompileStatic
class LabResult {
    /** The script as named in messages. */
    String script
    Lab lab = new Lab()
    /** Everything the lab printed (steps, checks, say, sh output). */
    String output = ''
    /** What stopped the lab (a failed step, a compile error, an uncaught exception); null when it passed. */
    LabError error
    /** All compile errors when the script did not compile (then no step ran). */
    List<LabError> compileErrors = []
    /** The exception behind {@link #error}, when there was one. */
    Throwable exception

    boolean isOk() { error == null && !lab.failed }

    boolean isCompileFailed() { !compileErrors.isEmpty() }

    List<Step> getSteps() { lab.steps }

    List<Check> getChecks() { lab.checks }

    /** The step called {@code name}, or null. */
    Step step(String name) { lab.step(name) }

    /** True when the lab stopped because a privilege (root, a capability) was missing. */
    boolean isMissingPrivilege() {
        for (Throwable t = exception; t != null; t = t.cause) {
            if (t instanceof labsh.kernel.Privilege.PrivilegeException) return true
        }
        false
    }
}
