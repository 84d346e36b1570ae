package labsh.labs

import java.nio.charset.StandardCharsets
import java.nio.file.Path
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.Semaphore
import java.util.concurrent.TimeUnit
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner

/**
 * Runs a lab on a thread of its own and holds it between steps, so that a spec can read the
 * kernel's view of what each step made while it still exists. The lab is held when it prints the
 * next step's heading ("── step N+1: ..."), i.e. after step N ended and before anything of step
 * N+1 ran; {@link #release} lets it go on. {@link #close} lets it run to its end (and unwind).
 */
class StepGate implements AutoCloseable {
    private final LinkedBlockingQueue<Integer> done = new LinkedBlockingQueue<>()
    private final Semaphore go = new Semaphore(0)
    private final StringBuilder text = new StringBuilder()
    private volatile boolean open
    private volatile LabResult result
    private final Thread thread

    StepGate(Path script) {
        PrintStream out = new PrintStream(new LineWatcher(), true, StandardCharsets.UTF_8)
        thread = Thread.start("lab ${script.fileName}") {
            try {
                result = LabRunner.run(script, new LabOptions(out: out, err: System.err))
            } finally {
                done.put(-1)
            }
        }
    }

    /** Waits until step {@code n} has ended (the lab is then held); false if the lab ended first. */
    boolean awaitStep(int n) {
        Integer s = done.poll(300, TimeUnit.SECONDS)
        if (s == null) throw new IllegalStateException("the lab did not finish step ${n} in 300 s")
        if (s == -1) {
            done.put(-1)
            return false
        }
        assert s == n: "expected step ${n} to end, but step ${s} did"
        true
    }

    /** Lets the held lab go on to its next step. */
    void release() { go.release() }

    /** Lets the lab run to its end; returns its result. */
    LabResult finish() {
        open = true
        go.release(1000)
        thread.join(TimeUnit.SECONDS.toMillis(300))
        result
    }

    /** What the lab printed so far. */
    synchronized String getOutput() { text.toString() }

    /** The host pid the lab printed for a container ("c1: pid 4242 on the host"). */
    int pidOf(String container) {
        def m = output =~ /(?m)^\s*${container}: pid (\d+) on the host/
        m.find() ? m.group(1) as int : -1
    }

    @Override
    void close() { finish() }

    /** Holds the lab's thread at each step heading after the first. */
    private class LineWatcher extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream()

        @Override
        void write(int b) {
            System.out.write(b)
            if (b != '\n' as char) {
                line.write(b)
                return
            }
            String l = line.toString(StandardCharsets.UTF_8)
            line.reset()
            synchronized (StepGate.this) { text.append(l).append('\n') }
            def m = l =~ /^── step (\d+): /
            if (m.find() && (m.group(1) as int) > 1 && !open) {
                done.put((m.group(1) as int) - 1)
                go.acquire()
            }
        }
    }
}
