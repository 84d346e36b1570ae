package labsh.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import labsh.dsl.LabOptions;
import labsh.dsl.LabResult;
import labsh.dsl.LabRunner;
import labsh.dsl.Step;

/**
 * {@code load labs/x.groovy}, then {@code step} (or {@code next}) and {@code continue}: a lab run
 * one step at a time. The lab runs on its own thread through {@link LabRunner}, with the shell's
 * compiler and binding (its variables become the shell's, so its nodes can be inspected between
 * steps); before each step it stops in {@link #beforeStep}, where the shell shows the step's title
 * and the lines it is about to run, and waits for the user.
 */
final class LabStepper {
    private sealed interface Event permits Paused, Done {}

    private record Paused(Step step, int line) implements Event {}

    private record Done(LabResult result) implements Event {}

    private final Evaluator evaluator;
    private final PrintStream out;
    private final PrintStream err;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final SynchronousQueue<Boolean> go = new SynchronousQueue<>();
    private volatile boolean free;
    private Thread thread;
    private Path script;
    private List<String> source;
    private Paused paused;

    LabStepper(Evaluator evaluator, PrintStream out, PrintStream err) {
        this.evaluator = evaluator;
        this.out = out;
        this.err = err;
    }

    boolean active() { return thread != null; }

    /** For the prompt: "ex5 step 2" while a lab waits before its step 2. */
    String where() {
        if (thread == null) return null;
        String name = script.getFileName().toString().replaceFirst("\\.groovy$", "");
        return paused == null ? name : name + " step " + paused.step.getNumber();
    }

    /** Starts {@code file} and runs it up to its first step. */
    void load(Path file, boolean stepping) throws InterruptedException {
        if (thread != null) throw new IllegalStateException("lab " + script + " is loaded: `continue` runs the rest, `abort` stops it");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no lab script at " + file);
        try {
            source = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        script = file;
        free = !stepping;
        events.clear();
        LabOptions o = new LabOptions();
        o.setOut(out);
        o.setErr(err);
        o.setUnwind(false); // what the lab made stays for inspection until the shell ends (Ctrl-D)
        o.setCompiler(evaluator.compiler());
        o.setBinding(evaluator.binding());
        o.setBeforeStep(new groovy.lang.Closure<Void>(this) {
            @SuppressWarnings("unused")
            public Void doCall(Step step, int line) throws InterruptedException {
                beforeStep(step, line);
                return null;
            }
        });
        thread = new Thread(() -> events.add(new Done(LabRunner.run(file, o))), "labsh-lab");
        thread.setDaemon(true);
        thread.start();
        if (stepping) out.println("loaded " + file + ": `step` runs the next step, `continue` the rest, `abort` stops");
        waitForLab();
    }

    /** Runs the next step and stops before the one after it. */
    void step() throws InterruptedException {
        requireLoaded();
        go.put(Boolean.TRUE);
        waitForLab();
    }

    /** Runs the rest of the lab without stopping. */
    void continueAll() throws InterruptedException {
        requireLoaded();
        free = true;
        go.put(Boolean.TRUE);
        waitForLab();
    }

    /** Stops the lab (between steps, or interrupting the running one). */
    void abort() throws InterruptedException {
        if (thread == null) return;
        thread.interrupt();
        thread.join(5000);
        events.clear();
        thread = null;
        paused = null;
        out.println("lab stopped");
    }

    private void requireLoaded() {
        if (thread == null) throw new IllegalStateException("no lab is loaded (load labs/NAME.groovy)");
    }

    /** On the lab's thread: tell the shell where the lab is, then wait for `step` unless running free. */
    private void beforeStep(Step step, int line) throws InterruptedException {
        events.put(new Paused(step, line));
        if (!free) go.take();
    }

    /** Waits until the lab stops before a step or ends; Ctrl-C (an interrupt) stops the lab. */
    private void waitForLab() throws InterruptedException {
        for (;;) {
            Event e;
            try {
                e = events.take();
            } catch (InterruptedException ie) {
                abort();
                throw ie;
            }
            if (e instanceof Done d) {
                finished(d.result());
                return;
            }
            paused = (Paused) e;
            if (!free) {
                preview(paused);
                return;
            }
        }
    }

    private void finished(LabResult r) {
        thread = null;
        paused = null;
        long passed = r.getLab().getSteps().stream().filter(s -> s.getStatus() == Step.Status.PASS).count();
        out.println((r.isOk() ? "lab done: " : "lab failed: ") + passed + " of " + r.getLab().getSteps().size()
                + " steps passed; what it made stays until you leave (Ctrl-D)");
    }

    /** The step's title and the lines of its body, as they are in the script. */
    private void preview(Paused p) {
        out.println("▶ next: step " + p.step.getNumber() + ": " + p.step.getName());
        for (int i : StepSource.bodyLines(source, p.line)) {
            out.printf("  %4d │ %s%n", i + 1, source.get(i));
        }
    }
}
