package labsh.runtime;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import labsh.kernel.KernelException;
import labsh.kernel.Libc;
import labsh.kernel.Namespaces;
import labsh.kernel.NsType;
import labsh.kernel.Syscall;

/**
 * A process started in new namespaces by the native stage. {@link #pid()} is the container's own
 * process (PID 1 of a new pid namespace), not nsinit's; nsinit stays as its parent, reaps it and
 * exits with its status, so waiting on nsinit is waiting on the container.
 *
 * <p>The control channel is a pair of FIFOs in a private directory, because ProcessBuilder passes
 * no file descriptors but 0, 1 and 2, and those stay the container's stdio: nsinit writes
 * "pid N", then "ok" or "error STEP: ERRNO (text)" to one, and waits for one byte on the other
 * before the child goes on (the moment to put it into cgroups: {@link LaunchSpec#beforeStart}).
 */
public final class NsProcess implements AutoCloseable {
    private static final int SIGKILL = 9, ESRCH = 3, O_RDONLY = 0, O_WRONLY = 1, O_NONBLOCK = 04000;

    private final Process stage;
    private final int pid;
    private final long start;
    private final Ledger.Entry stageEntry, childEntry;

    private NsProcess(Process stage, int pid, Ledger.Entry stageEntry, Ledger.Entry childEntry) {
        this.stage = stage;
        this.pid = pid;
        this.start = ProcFs.startTime(pid);
        this.stageEntry = stageEntry;
        this.childEntry = childEntry;
    }

    /** A step of the native stage failed; the message is nsinit's one line, e.g. {@code pivot_root(...): EINVAL (...)}. */
    public static final class LaunchException extends RuntimeException {
        public LaunchException(String message) { super(message); }
    }

    public static NsProcess start(LaunchSpec spec) {
        Libc.load(); // before any fork: JNA's first load may run ldconfig (DESIGN.md)
        Ledger ledger = Ledger.current();
        Path dir = fifoDir(ledger);
        Path report = dir.resolve("report"), go = dir.resolve("go");
        mkfifo(report);
        mkfifo(go);
        Ledger.Entry stageEntry = ledger.intend("process", "role", "nsinit", "cmd", String.join(" ", spec.command()));
        Process stage;
        ProcessBuilder pb = new ProcessBuilder(NativeStage.runCommand(spec, report, go))
                .redirectInput(spec.stdin()).redirectOutput(spec.stdout()).redirectError(spec.stderr());
        if (spec.env() != null) { pb.environment().clear(); pb.environment().putAll(spec.env()); }
        if (spec.cwd() != null) pb.directory(spec.cwd().toFile());
        try {
            stage = pb.start();
        } catch (IOException e) {
            stageEntry.removed();
            deleteDir(dir);
            throw new LaunchException("cannot start " + NativeStage.binary() + ": " + e.getMessage());
        }
        stageEntry.created("pid", Long.toString(stage.pid()), "start", Long.toString(ProcFs.startTime((int) stage.pid())));
        // If nsinit dies before opening its FIFO ends, our blocking open()s below would wait forever:
        // open the other ends ourselves, non-blocking, so they return (and read EOF).
        stage.onExit().thenRun(() -> unblock(report, go));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(report.toFile()), StandardCharsets.UTF_8));
             OutputStream out = new FileOutputStream(go.toFile())) {
            deleteDir(dir); // both ends are open now: the names are no longer needed
            String first = in.readLine();
            if (first == null || !first.startsWith("pid ")) throw failed(stage, stageEntry, first);
            int pid = Integer.parseInt(first.substring(4).trim());
            Ledger.Entry childEntry = ledger.intend("process", "role", "container", "pid", Integer.toString(pid))
                    .created("start", Long.toString(ProcFs.startTime(pid)));
            try {
                spec.beforeStart().accept(pid);
                out.write('g');
                out.flush();
            } catch (RuntimeException | IOException e) {
                killQuietly(stage, stageEntry, childEntry);
                throw e;
            }
            String second = in.readLine();
            if (!"ok".equals(second)) {
                childEntry.removed();
                throw failed(stage, stageEntry, second);
            }
            return new NsProcess(stage, pid, stageEntry, childEntry);
        } catch (IOException e) {
            killQuietly(stage, stageEntry, null);
            throw new UncheckedIOException("native stage control channel: " + e.getMessage(), e);
        } finally {
            deleteDir(dir);
        }
    }

    /** The container's pid as the host sees it. */
    public int pid() { return pid; }

    /** nsinit's pid (the container's parent). */
    public long stagePid() { return stage.pid(); }

    /** The container's namespaces, read from /proc/PID/ns. */
    public Map<NsType, Long> namespaces() { return Namespaces.of(pid); }

    public boolean isAlive() { return stage.isAlive(); }

    /** Waits for the container to exit; its exit status (128+N when killed by signal N), or empty on timeout. */
    public java.util.OptionalInt waitFor(Duration timeout) throws InterruptedException {
        if (!stage.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) return java.util.OptionalInt.empty();
        return java.util.OptionalInt.of(stage.exitValue());
    }

    /** SIGKILL to the container (a pid namespace's PID 1 takes the whole namespace with it). */
    public void kill() {
        if (!ProcFs.isSameProcess(pid, start)) return; // gone already, maybe pid reused: not ours
        try {
            Syscall.call("kill", pid + ", SIGKILL", () -> Libc.kill(pid, SIGKILL));
        } catch (KernelException e) {
            if (!e.is(ESRCH)) throw e;
        }
    }

    /** The container's stdin/stdout/stderr when the spec asked for PIPE. */
    public OutputStream stdin() { return stage.getOutputStream(); }
    public InputStream stdout() { return stage.getInputStream(); }
    public InputStream stderr() { return stage.getErrorStream(); }

    /** Kills the container if it still runs, reaps nsinit, and closes the ledger entries. */
    @Override
    public void close() {
        kill();
        try {
            if (!stage.waitFor(5, TimeUnit.SECONDS)) {
                stage.destroyForcibly(); // nsinit stuck: its death kills the child (PR_SET_PDEATHSIG)
                stage.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stage.isAlive()) {
            childEntry.removed();
            stageEntry.removed();
        }
    }

    private static LaunchException failed(Process stage, Ledger.Entry stageEntry, String line) {
        try {
            stage.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stage.isAlive()) stageEntry.removed();
        String why = line == null ? "nsinit exited (" + (stage.isAlive() ? "still running" : "status " + stage.exitValue()) + ") without a report"
                : line.startsWith("error ") ? line.substring(6) : "unexpected report '" + line + "'";
        return new LaunchException(why);
    }

    private static void killQuietly(Process stage, Ledger.Entry stageEntry, Ledger.Entry childEntry) {
        stage.destroyForcibly(); // the child dies with it (PR_SET_PDEATHSIG)
        try {
            stage.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stage.isAlive()) {
            if (childEntry != null) childEntry.removed();
            stageEntry.removed();
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger FIFO_DIRS = new java.util.concurrent.atomic.AtomicInteger();

    /** A private (0700) directory for the two FIFOs, recorded in the ledger before it exists. */
    private static Path fifoDir(Ledger ledger) {
        Path dir = Ledger.stateDir().resolve("fifo").resolve("nsinit-" + ProcessHandle.current().pid() + "-" + FIFO_DIRS.incrementAndGet());
        Ledger.Entry e = ledger.intend("dir", "path", dir.toString());
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            e.created();
            FIFO_ENTRIES.put(dir, e);
            return dir;
        } catch (IOException ex) {
            e.removed();
            throw new UncheckedIOException("cannot make the native stage's FIFO directory: " + ex.getMessage(), ex);
        }
    }

    private static final Map<Path, Ledger.Entry> FIFO_ENTRIES = new java.util.concurrent.ConcurrentHashMap<>();

    private static void mkfifo(Path p) {
        Syscall.call("mkfifo", Syscall.quote(p.toString()) + ", 0600", () -> Libc.mkfifo(p.toString(), 0600));
    }

    private static void unblock(Path report, Path go) {
        for (Path p : new Path[] {report, go}) {
            try {
                int fd = Libc.open(p.toString(), (p == report ? O_WRONLY : O_RDONLY) | O_NONBLOCK, 0);
                Libc.close(fd);
            } catch (RuntimeException ignored) {
                // no reader (ENXIO) or already deleted: nobody is blocked on it
            }
        }
    }

    private static void deleteDir(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve("report"));
            Files.deleteIfExists(dir.resolve("go"));
            Files.deleteIfExists(dir);
            Ledger.Entry e = FIFO_ENTRIES.remove(dir);
            if (e != null) e.removed();
        } catch (IOException ignored) {
            // a private, empty-ish temp dir under the state dir
        }
    }
}
