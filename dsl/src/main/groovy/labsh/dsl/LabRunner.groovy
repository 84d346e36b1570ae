package labsh.dsl

import groovy.transform.CompileStatic
import labsh.kernel.Trace
import labsh.runtime.Ledger

import java.nio.charset.StandardCharsets
import java.nio.file.Path

/**
 * Runs a lab script from start to end: compiles it (a typo stops it before anything runs), runs
 * its steps, keeps what it printed, and removes what it created (the ledger) whether it passed or
 * not. The command line ({@code labsh SCRIPT}) and each lab's Spock spec both come through here:
 * <pre>
 * LabResult r = LabRunner.run(Path.of('labs/ex5.groovy'), new LabOptions(out: System.out))
 * r.step('start the servers').passed
 * </pre>
 */
@CompileStatic
class LabRunner {
    static LabResult run(Path script) { run(script, new LabOptions()) }

    static LabResult run(Path script, LabOptions options) {
        String display = options.displayPath ?: script.toString()
        LabResult result = new LabResult(script: display)
        ByteArrayOutputStream kept = new ByteArrayOutputStream()
        PrintStream out = new PrintStream(new Tee(kept, options.out), true, StandardCharsets.UTF_8)
        Class<? extends LabScript> cls
        try {
            cls = options.compiler.compile(script, display)
        } catch (LabCompileException e) {
            result.compileErrors = e.errors
            result.error = e.errors.first()
            result.exception = e
            options.err?.println(e.render())
            return result
        }
        LabScript lab = cls.getDeclaredConstructor().newInstance()
        lab.out = out
        lab.args = options.args
        lab.scriptPath = display
        lab.lab = result.lab
        lab.binding = options.binding ?: new Binding()
        lab.binding.setVariable('out', out)
        lab.binding.setVariable('args', options.args as String[])
        lab.beforeStep = options.beforeStep
        AutoCloseable tracing = options.trace && options.err ? Trace.listen { Trace.Call c -> options.err.println(c) } : null
        try {
            lab.run()
        } catch (LabStopped e) {
            result.error = e.error
            result.exception = e.cause
        } catch (Exception | AssertionError e) {
            result.error = LabError.of(e, cls.name, display)
            result.exception = e
        } finally {
            tracing?.close()
            if (options.unwind) {
                for (String f : Ledger.current().unwind()) options.err?.println("labsh: could not remove ${f}")
            }
            out.flush()
            result.output = kept.toString(StandardCharsets.UTF_8)
        }
        if (result.error != null) {
            Step failed = result.lab.steps.find { Step s -> s.failed }
            String where = failed ? "step ${failed.number} '${failed.name}' failed: " : ''
            options.err?.println("${result.error.file}:${result.error.line > 0 ? result.error.line + ':' : ''} ${where}${result.error.message}")
            if (options.debug && result.exception != null) result.exception.printStackTrace(options.err)
        }
        result
    }

    /** Writes to the kept copy and, when there is one, to the terminal. */
    private static final class Tee extends OutputStream {
        final OutputStream kept, echo

        Tee(OutputStream kept, OutputStream echo) { this.kept = kept; this.echo = echo }

        @Override void write(int b) { kept.write(b); echo?.write(b) }

        @Override void write(byte[] b, int off, int len) { kept.write(b, off, len); echo?.write(b, off, len) }

        @Override void flush() { echo?.flush() }
    }
}
