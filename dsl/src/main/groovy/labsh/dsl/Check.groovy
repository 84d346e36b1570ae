package labsh.dsl

import groovy.transform.CompileStatic

/** One {@code check('what') { ... }}: what was checked, whether it held, and why not. */
@CompileStatic
class Check {
    String what
    /** Line of the check in the lab script (0 when unknown). */
    int line
    boolean passed
    /** The values compared when it failed (Groovy's power-assert text), null when it passed. */
    String detail

    @Override
    String toString() { (passed ? '✓ ' : '✗ ') + what + (detail ? ': ' + detail : '') }
}
