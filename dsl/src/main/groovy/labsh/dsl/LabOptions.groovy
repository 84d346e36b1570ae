package labsh.dsl

import groovy.transform.CompileStatic

/** How {@link LabRunner} runs a lab. Defaults suit a Spock spec: output kept, nothing echoed. */
@CompileStatic
class LabOptions {
    /** Where the lab's text is echoed as it runs; null: only kept in {@link LabResult#output}. */
    PrintStream out
    /** Where errors (file:line: message), --trace lines and stack traces go; null: nowhere. */
    PrintStream err
    /** The arguments after the script name, the lab's {@code args}. */
    List<String> args = []
    /** Print every kernel call to {@link #err} as it happens (strace-like). */
    boolean trace
    /** Print stack traces of errors to {@link #err}. */
    boolean debug
    /** Remove everything the lab recorded in the ledger once it ends (pass or fail). */
    boolean unwind = true
    /** How messages name the script; default: the path as given. */
    String displayPath
    /** Compiles the lab (the shell's keeps the lab's variables in its binding). */
    LabCompiler compiler = new LabCompiler()
    /** The lab's binding; null: a fresh one. The shell passes its own so the lab's nodes stay reachable. */
    Binding binding
    /** Called before each step runs, with the step and its line (see LabScript#beforeStep). */
    Closure<?> beforeStep
}
