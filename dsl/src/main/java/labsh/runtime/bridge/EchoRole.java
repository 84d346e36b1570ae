package labsh.runtime.bridge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import labsh.kernel.Mounts;
import labsh.kernel.NsType;
import labsh.kernel.Processes;
import labsh.kernel.SysvIpcTable;
import labsh.runtime.CPrograms;
import labsh.runtime.JoinedThread;
import labsh.runtime.LaunchSpec;
import labsh.runtime.Ledger;
import labsh.runtime.NativeStage;
import labsh.runtime.NsProcess;

/**
 * One of the seeds' echo programs (labs/c/bridge) running in a container of its own: new ipc,
 * mnt, pid and uts namespaces, started by the native stage with an init as PID 1.
 *
 * <p>A role on files gets a private directory: an empty directory on the host with a tmpfs
 * mounted on it <em>inside the container's mount namespace only</em> (mounted from a thread
 * joined to that namespace while the new container still waits for "go", after making its mounts
 * private so nothing propagates back). The host sees the empty directory; the role, and a bridge
 * joined to its mount namespace, see the tmpfs and its files.
 *
 * <p>A client's stdin and stdout are pipes to labsh: {@link #type} writes a line and reads its echo.
 */
public final class EchoRole implements AutoCloseable {
    /** The four programs: seed 000 is queue-client + file-server, seed 001 file-client + queue-server. */
    public enum Kind {
        QUEUE_CLIENT("queue-client", true, false), FILE_SERVER("file-server", false, true),
        FILE_CLIENT("file-client", true, true), QUEUE_SERVER("queue-server", false, false);

        final String program;
        final boolean client, files;

        Kind(String program, boolean client, boolean files) {
            this.program = program;
            this.client = client;
            this.files = files;
        }

        public String program() { return program; }
        public boolean isClient() { return client; }
        public boolean onFiles() { return files; }
    }

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final String EOF = new String("end of output"); // compared by identity

    private final Kind kind;
    private final NsProcess process;
    private final Path dir;
    private final Ledger.Entry dirEntry;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private OutputStream stdin;

    private EchoRole(Kind kind, NsProcess process, Path dir, Ledger.Entry dirEntry) {
        this.kind = kind;
        this.process = process;
        this.dir = dir;
        this.dirEntry = dirEntry;
    }

    /** Starts {@code kind} in a new container speaking {@code protocol} (keys, mtypes, file names; the directory is the role's own). */
    public static EchoRole start(Kind kind, BridgeProtocol protocol, String hostname) {
        Path program = CPrograms.bridge().resolve(kind.program);
        Path dir = null;
        Ledger.Entry dirEntry = null;
        List<String> command = new ArrayList<>(List.of(program.toString()));
        if (kind.files) {
            dir = Ledger.stateDir().resolve("work").resolve(ProcessHandle.current().pid() + "-" + kind.program + "-" + SEQ.incrementAndGet());
            dirEntry = Ledger.current().intend("dir", "path", dir.toString());
            createDirectory(dir);
            command.add(dir.toString());
        }
        LaunchSpec.Builder spec = LaunchSpec.command(command)
                .namespaces(EnumSet.of(NsType.IPC, NsType.MNT, NsType.PID, NsType.UTS)).hostname(hostname).init(true)
                .stdout(kind.client ? Redirect.PIPE : Redirect.INHERIT).stderr(Redirect.INHERIT);
        if (kind.client) spec.stdin(Redirect.PIPE);
        protocol.environment().forEach(spec::env);
        if (kind.files) {
            String target = dir.toString();
            spec.workDir(target).beforeStart(pid -> mountPrivateTmpfs(pid, target));
        }
        NsProcess p;
        try {
            p = NativeStage.start(spec.build());
        } catch (RuntimeException e) {
            if (dir != null) deleteDirectory(dir, dirEntry);
            throw e;
        }
        EchoRole role = new EchoRole(kind, p, dir, dirEntry);
        if (kind.client) role.readOutput();
        if (!kind.files) {
            try {
                role.awaitQueues(protocol);
            } catch (RuntimeException e) {
                role.close();
                throw e;
            }
        }
        return role;
    }

    /**
     * A peer on queues is ready once it has made both (msgget with IPC_CREAT): a bridge joined
     * later, and a lab's check of its IPC namespace, then find them. Read from the kernel's list in
     * that namespace, on a thread joined to it; /proc/sysvipc cannot be watched, so it is read
     * again every few milliseconds until they are there (a few ms after the start).
     */
    private void awaitQueues(BridgeProtocol protocol) {
        Set<Integer> keys = Set.of(protocol.requestKey(), protocol.replyKey());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (JoinedThread ipc = JoinedThread.join("queues-of-" + process.pid(), process.pid(), NsType.IPC)) {
            while (!ipc.call(() -> SysvIpcTable.messageQueues().stream().map(SysvIpcTable.Row::key).toList().containsAll(keys))) {
                if (!process.isAlive()) throw new IllegalStateException(kind.program + " exited before it made its queues");
                if (System.nanoTime() > deadline) throw new IllegalStateException(kind.program + " made no queues " + keys + " in 10 s");
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + kind.program + " made its queues");
        }
    }

    /**
     * Runs in the native stage's beforeStart: the child exists in its new mount namespace and
     * waits. A new mount namespace is a copy whose mounts may still propagate to the host
     * (shared, mount_namespaces(7)): make them private there first, then mount the tmpfs.
     */
    private static void mountPrivateTmpfs(int pid, String target) {
        try (JoinedThread t = JoinedThread.join("private-dir-" + pid, pid, NsType.MNT)) {
            t.run(() -> {
                Mounts.makePrivate("/", true);
                Mounts.mount("labsh-bridge", target, "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, "size=4m,mode=0755");
            });
        }
    }

    private void readOutput() {
        stdin = process.stdin();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) lines.add(l);
            } catch (IOException ignored) {
                // the pipe closed under us: same as the end of output
            }
            lines.add(EOF);
        }, kind.program + "-stdout-" + process.pid());
        t.setDaemon(true);
        t.start();
    }

    /** Writes {@code line} and a newline to the client's stdin (the echoes arrive later: {@link #awaitEcho}). */
    public void send(String line) {
        if (!kind.client) throw new IllegalStateException(kind.program + " is a server: type into a client");
        if (line.indexOf('\n') >= 0) throw new IllegalArgumentException("type one line at a time (no newline inside)");
        try {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException(kind.program + " (pid " + process.pid() + ") no longer reads its input: " + e.getMessage());
        }
    }

    /** The next line the client printed, waiting at most {@code timeout}. */
    public String awaitEcho(Duration timeout) {
        String l;
        try {
            l = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an echo");
        }
        if (l == null) throw new IllegalStateException("no echo within " + timeout.toSeconds() + " s (is a bridge relaying between client and server?)");
        if (l == EOF) {
            lines.add(EOF);
            throw new IllegalStateException(kind.program + " (pid " + process.pid() + ") ended" + exitNote());
        }
        return l;
    }

    /**
     * Types one line and returns what the client printed for it: one echo, or for a queue client
     * and a line over 255 bytes, one echo per piece of the 256-byte rule.
     */
    public List<String> type(String line, Duration timeout) {
        send(line);
        int expected = kind == Kind.QUEUE_CLIENT ? BridgeProtocol.pieces(line.getBytes(StandardCharsets.UTF_8)).size() : 1;
        List<String> echoes = new ArrayList<>();
        for (int i = 0; i < expected; i++) echoes.add(awaitEcho(timeout));
        return echoes;
    }

    private String exitNote() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? " with status " + process.exitValue() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    public Kind kind() { return kind; }

    /** The container's init (PID 1 inside), as the host sees it: its namespaces are the role's. */
    public int pid() { return process.pid(); }

    public NsProcess process() { return process; }

    /**
     * The echo program itself: the only child of the container's init, read from the kernel's
     * /proc/PID/task/PID/children (Linux 3.5+, proc(5)).
     */
    public int programPid() {
        int init = process.pid();
        try {
            String children = Files.readString(Path.of("/proc/" + init + "/task/" + init + "/children")).trim();
            if (children.isEmpty()) throw new IllegalStateException(kind.program + " is not running (its container's init has no child)");
            return Integer.parseInt(children.split(" ")[0]);
        } catch (IOException e) {
            throw new IllegalStateException(kind.program + " is not running: no container init " + init);
        }
    }

    /** SIGSTOP to the program: it stops taking messages (a message then waits where the bridge left it). */
    public void freeze() { Processes.kill(programPid(), Processes.SIGSTOP); }

    /** SIGCONT: it goes on. */
    public void thaw() { Processes.kill(programPid(), Processes.SIGCONT); }

    /** SIGKILL to the program only: its init then exits with it, and the container ends. */
    public void killProgram() { Processes.kill(programPid(), Processes.SIGKILL); }

    /** The role's directory (files roles), the same path inside and out: the tmpfs is only inside. */
    public Path dir() { return dir; }

    public boolean isAlive() { return process.isAlive(); }

    /**
     * Kills the container (SIGKILL to its init takes the whole pid namespace) and removes the
     * directory. The tmpfs goes with the container's mount namespace (its ledger entry is closed
     * by the unwind, whose remover finds it in no namespace of ours).
     */
    @Override
    public void close() {
        Long mntns = dir != null && process.isAlive() ? process.namespaces().get(NsType.MNT) : null;
        process.close();
        // its private tmpfs went with its mount namespace, which only its processes held
        if (mntns != null && !process.isAlive()) Mounts.forgetNamespace(mntns);
        if (dir != null) deleteDirectory(dir, dirEntry);
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteDirectory(Path dir, Ledger.Entry entry) {
        try {
            Files.deleteIfExists(dir); // empty on the host: the files were only ever in the container's tmpfs
            entry.removed();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() { return kind.program + " in a container (pid " + process.pid() + (dir != null ? ", dir " + dir : "") + ")"; }
}
