package labsh.dsl

import groovy.transform.CompileStatic

/** A lab script that does not compile: every error with its file and line, before anything ran. */
@CompileStatic
class LabCompileException extends RuntimeException {
    final List<LabError> errors

    LabCompileException(List<LabError> errors) {
        super(errors.collect { LabError e -> e.toString() }.join('\n'), null, false, false)
        this.errors = errors
    }

    /** Each error with its source line and caret. */
    String render() { errors.collect { LabError e -> e.render() }.join('\n') }
}
