package labsh.dsl

import labsh.kernel.Trace
import org.codehaus.groovy.runtime.typehandling.DefaultTypeTransformation

/**
 * The base class of every lab script ({@code labs/*.groovy}): the words every lab uses.
 * {@link LabCompiler} compiles a lab with this class as its script base class and with
 * {@code @TypeChecked}, so a word that is not defined here is a compile error with the
 * script's file and line, before any step runs.
 *
 * <h2>Adding a word (server, client, container, bridge, vm ...)</h2>
 * A word is one small trait plus one name in the {@code implements} list below:
 * <pre>
 * // dsl/src/main/groovy/labsh/dsl/Ex5Words.groovy
 * &#64;groovy.transform.SelfType(LabScript)       // the trait may call say(), step(), out ...
 * trait Ex5Words {
 *     Server server(Map options,
 *                   &#64;DelegatesTo(value = Server, strategy = Closure.DELEGATE_FIRST) Closure setup = null) {
 *         say "server on port ${options.port}"
 *         ...
 *     }
 * }
 * </pre>
 * Rules that keep the type checker (and so the file:line errors) working:
 * <ul>
 * <li>every Closure parameter carries {@code @DelegatesTo} naming the delegate type and
 *     {@code strategy = Closure.DELEGATE_FIRST}, and the word sets {@code closure.delegate} and
 *     {@code resolveStrategy} to match;</li>
 * <li>return the noun's type (Server, Container), not {@code def}, so that {@code srv.port} is checked;</li>
 * <li>validate arguments in the word and throw {@link LabException} or IllegalArgumentException with
 *     a sentence: it is shown as {@code file:line: sentence} at the lab's line;</li>
 * <li>record every kernel object in the Ledger before creating it (see labsh.runtime.Ledger).</li>
 * </ul>
 * {@link HostWords} is an example of the pattern ({@code sh}).
 */
abstract class LabScript extends Script implements HostWords, Ex5Words, ContainerWords, PuzzleWords, ImageWords, NetWords, BridgeWords {
    /** The lab's steps and checks as they run; read by {@link LabRunner} and by specs. */
    Lab lab = new Lab()
    /** Where the lab's text goes (the runner tees it into {@link LabResult#output}). */
    PrintStream out = System.out
    /** The arguments after the script name: {@code labsh labs/x.groovy a b}. */
    List<String> args = []
    /** The script as the user named it, for messages. */
    String scriptPath = getClass().simpleName + '.groovy'
    /**
     * Called with each step and the script line of its {@code step(...)} call before the step
     * runs; the shell's step mode waits there for the user. Null: steps run at once.
     */
    Closure<?> beforeStep

    private Step current

    /** Names the lab; printed as its heading. */
    void lab(String title) {
        lab.title = title
        out.println("━━ ${title}")
    }

    /** The same as {@link #lab(String)}, for labs that read better with it. */
    void title(String title) { lab(title) }

    /**
     * Runs one step of the lab: prints "── step N: name", runs {@code body}, records pass, fail or
     * skip and how long it took. A failed check or an exception fails the step and stops the lab.
     */
    Step step(String name, @DelegatesTo(value = LabScript, strategy = Closure.DELEGATE_FIRST) Closure body) {
        if (current != null) {
            throw new LabException("step '${name}' is inside step '${current.name}': steps do not nest")
        }
        Step s = lab.begin(name)
        beforeStep?.call(s, LabError.lineIn(new Throwable(), getClass().name))
        out.println("── step ${s.number}: ${name}")
        current = s
        long t0 = System.nanoTime()
        try {
            body.delegate = this
            body.resolveStrategy = Closure.DELEGATE_FIRST
            body.call()
            s.status = Step.Status.PASS
        } catch (StepSkipped e) {
            s.status = Step.Status.SKIP
            s.reason = e.message
            out.println("   – skipped: ${e.message}")
        } catch (LabStopped e) {
            fail(s, e.error)
            throw e
        } catch (Exception | AssertionError e) {
            LabError err = LabError.of(e, getClass().name, scriptPath)
            fail(s, err)
            indent('✗ ' + err.message)
            throw new LabStopped(err, e)
        } finally {
            s.duration = java.time.Duration.ofNanos(System.nanoTime() - t0)
            current = null
        }
        s
    }

    private static void fail(Step s, LabError err) {
        s.status = Step.Status.FAIL
        s.error = err
        s.reason = err.toString()
    }

    /** Ends the current step as skipped (e.g. "no /dev/kvm here"); the lab goes on. */
    void skip(String reason) {
        if (current == null) throw new LabException("skip '${reason}' is outside a step")
        throw new StepSkipped(reason)
    }

    /**
     * Checks a condition: prints "✓ what" or "✗ what: detail" with the values compared. The last
     * expression of the closure is compiled as a Groovy power assert (see {@link LabCompiler}), so
     * {@code check('two queues') { queues.size() == 2 }} shows what {@code queues.size()} was.
     * A failing check fails its step (and so stops the lab).
     */
    boolean check(String what, @DelegatesTo(value = LabScript, strategy = Closure.DELEGATE_FIRST) Closure condition) {
        Check c = new Check(what: what, line: LabError.lineIn(new Throwable(), getClass().name))
        try {
            condition.delegate = this
            condition.resolveStrategy = Closure.DELEGATE_FIRST
            Object r = condition.call()
            c.passed = DefaultTypeTransformation.castToBoolean(r)
            if (!c.passed) c.detail = "the condition was ${r}"
        } catch (AssertionError e) {
            c.passed = false
            // a power assert's message is the expression with the values under it: keep its layout
            String m = e.message?.trim() ?: 'assertion failed'
            c.detail = m.contains('\n') ? '\n' + m : m
        } catch (Exception e) {
            c.passed = false
            c.detail = LabError.messageOf(LabError.unwrap(e))
        }
        lab.checks << c
        current?.checks?.add(c)
        if (c.passed) {
            indent("✓ ${what}")
            return true
        }
        // a power-assert diagram goes under the line, indented, so its columns stay aligned
        indent(c.detail.startsWith('\n') ? "✗ ${what}:" + c.detail.replace('\n', '\n    ') : "✗ ${what}: ${c.detail}")
        throw new LabStopped(new LabError(file: scriptPath, line: c.line, message: "check '${what}' failed"), null)
    }

    /** Explains to the student what is happening and why. */
    void say(String text) { indent(text) }

    /**
     * Runs {@code body} and prints every kernel call made inside it, strace-like
     * ({@code shmget(0x6501a0c2, 4096, IPC_CREAT|0600) = 32769}). Returns what the body returns.
     */
    def <T> T trace(@DelegatesTo(value = LabScript, strategy = Closure.DELEGATE_FIRST) Closure<T> body) {
        AutoCloseable listening = Trace.listen { Trace.Call call -> indent('⇢ ' + call) }
        try {
            body.delegate = this
            body.resolveStrategy = Closure.DELEGATE_FIRST
            return body.call()
        } finally {
            listening.close()
        }
    }

    /** The step running now, or null between steps. */
    Step getCurrentStep() { current }

    /** Prints {@code text} indented under the step heading, every line of it (for words' output). */
    void indent(String text) {
        text.readLines().each { String l -> out.println('   ' + l) }
        if (text.isEmpty()) out.println()
    }
}
