package labsh.shell;

import groovy.lang.Binding;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import labsh.dsl.Lab;
import labsh.dsl.LabCompileException;
import labsh.dsl.LabError;
import labsh.dsl.LabScript;
import labsh.dsl.LabStopped;

/**
 * Runs the Groovy the user types: each input is compiled as a lab script (LabScript as base
 * class, type checked, see {@link LineCompiler}) and run against one binding and one {@link Lab}
 * kept for the whole session, so that a variable or a container of one line is there on the next
 * and steps go on counting. Errors are printed as a lab's are (line, caret, did-you-mean) and the
 * shell goes on.
 */
final class Evaluator {
    /** Where the input's line numbers point in messages: {@code input:2: unknown word ...}. */
    static final String INPUT = "input";

    // Made on first use: Groovy's runtime (its metaclass registry) loads with the first Groovy
    // object, and the prompt should not wait for it (bench/shell-start).
    private Binding binding;
    private Lab lab;
    private LineCompiler compiler;
    private final PrintStream out;
    private final PrintStream err;
    /** What lines returned (not kept in a variable), so that their nodes can still be named. */
    private final List<Object> results = new ArrayList<>();
    private int inputs;

    Evaluator(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    synchronized Binding binding() {
        if (binding == null) {
            binding = new Binding();
            lab = new Lab();
            compiler = new LineCompiler(binding);
        }
        return binding;
    }

    LineCompiler compiler() {
        binding();
        return compiler;
    }

    /** The names of the session's variables (none before the first line: Groovy is not loaded then). */
    synchronized List<String> variableNames() {
        List<String> names = new ArrayList<>();
        if (binding != null) binding.getVariables().keySet().forEach(k -> names.add(k.toString()));
        names.removeAll(List.of("out", "args")); // set for every lab by LabRunner
        return names;
    }

    /** Values of the session worth looking into for nodes: the variables, then the lines' results. */
    synchronized List<Object> values() {
        List<Object> all = new ArrayList<>();
        if (binding != null) all.addAll(binding.getVariables().values());
        all.addAll(results);
        return all;
    }

    /** Compiles and runs {@code source}; prints its value or its error. True when it ran without error. */
    boolean evaluate(String source) {
        Class<? extends LabScript> cls;
        try {
            cls = compiler().compile(source, "labsh_" + (++inputs) + ".groovy", INPUT);
        } catch (LabCompileException e) {
            err.println(e.render());
            return false;
        }
        try {
            LabScript script = cls.getDeclaredConstructor().newInstance();
            script.setBinding(binding());
            script.setOut(out);
            script.setLab(lab);
            script.setScriptPath(INPUT);
            Object value = script.run();
            if (value != null && !(value instanceof groovy.lang.Closure)) {
                results.add(value);
                out.println("⇒ " + value);
            }
            return true;
        } catch (LabStopped e) {
            // the step already printed its ✗ line; say where, as a lab run does
            err.println(e.getError());
        } catch (Exception | AssertionError e) {
            if (Thread.currentThread().isInterrupted() || LabError.unwrap(e) instanceof InterruptedException) {
                err.println("interrupted");
            } else {
                err.println(LabError.of(e, cls.getName(), INPUT));
            }
        }
        return false;
    }
}
