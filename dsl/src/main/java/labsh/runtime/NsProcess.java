package labsh.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import labsh.kernel.Errno;
import labsh.kernel.KernelException;
import labsh.kernel.Libc;
import labsh.kernel.Namespaces;
import labsh.kernel.NsType;
import labsh.kernel.Syscall;

/**
 * A process started by {@link NativeStage} in new (or joined) namespaces. Its parent is nsinit,
 * which waits for it and exits with its status, so {@link #waitFor()} is nsinit's exit. In init
 * mode {@link #pid()} is the init (PID 1 inside), whose child runs the command.
 *
 * <p>{@link #close()} kills it, reaps both processes and closes their ledger entries: use it in a
 * try-with-resources, or leave it to {@link Ledger#unwind()}.
 */
public final class NsProcess implements AutoCloseable {
    public static final int SIGKILL = 9, SIGTERM = 15;

    private final Process stage;
    private final int pid;
    private final long startTime;
    private final LaunchSpec spec;
    private final Ledger.Entry stageEntry, childEntry;
    private boolean closed;

    NsProcess(Process stage, int pid, long startTime, LaunchSpec spec, Ledger.Entry stageEntry, Ledger.Entry childEntry) {
        this.stage = stage;
        this.pid = pid;
        this.startTime = startTime;
        this.spec = spec;
        this.stageEntry = stageEntry;
        this.childEntry = childEntry;
    }

    /** The process's pid as the host sees it. */
    public int pid() { return pid; }

    /** nsinit, the process's parent on the host. */
    public long stagePid() { return stage.pid(); }

    public LaunchSpec spec() { return spec; }

    /** The kernel's view: the inode of each of its namespaces (/proc/PID/ns/*). */
    public Map<NsType, Long> namespaces() { return Namespaces.of(pid); }

    /** True while the process runs (nsinit outlives it only for the moment it takes to reap it). */
    public boolean isAlive() { return ProcFs.isSameProcess(pid, startTime) && stage.isAlive(); }

    /** Waits for the end; the exit code is the command's, or 128+signal when a signal killed it. */
    public int waitFor() throws InterruptedException {
        int code = stage.waitFor();
        gone();
        return code;
    }

    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        if (!stage.waitFor(timeout, unit)) return false;
        gone();
        return true;
    }

    /** The exit code once it has ended. */
    public int exitValue() { return stage.exitValue(); }

    /** Sends {@code sig} to the process, unless its pid already names another one. */
    public void signal(int sig) {
        if (!ProcFs.isSameProcess(pid, startTime)) return;
        try {
            Syscall.call("kill", pid + ", " + sig, () -> Libc.kill(pid, sig));
        } catch (KernelException e) {
            if (!e.is(Errno.ESRCH)) throw e; // it ended meanwhile
        }
    }

    /**
     * SIGKILL. (PID 1 of a pid namespace ignores signals it has no handler for, even SIGTERM from
     * the host; SIGKILL from an ancestor namespace always works: pid_namespaces(7).)
     */
    public void kill() { signal(SIGKILL); }

    /** The command's stdin, when the spec asked for {@code Redirect.PIPE}. */
    public OutputStream stdin() { return stage.getOutputStream(); }

    public InputStream stdout() { return stage.getInputStream(); }

    public InputStream stderr() { return stage.getErrorStream(); }

    /** Kills the process if it still runs, reaps it and nsinit, and closes their ledger entries. */
    @Override
    public void close() {
        if (stage.isAlive()) {
            kill();
            NativeStage.waitQuietly(stage);
        }
        if (stage.isAlive()) { // nsinit exits as soon as its child does; never leave it behind
            stage.destroyForcibly();
            NativeStage.waitQuietly(stage);
        }
        if (!stage.isAlive()) gone();
        try {
            stage.getOutputStream().close();
            stage.getInputStream().close();
            stage.getErrorStream().close();
        } catch (java.io.IOException ignored) {
            // pipes to a dead process: nothing to flush
        }
    }

    private synchronized void gone() {
        if (closed) return;
        closed = true;
        childEntry.removed();
        stageEntry.removed();
    }

    @Override
    public String toString() { return "pid " + pid + " (" + spec + ")"; }
}
