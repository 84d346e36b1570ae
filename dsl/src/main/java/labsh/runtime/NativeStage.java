package labsh.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.StandardProtocolFamily;
import java.net.URL;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


import labsh.kernel.Errno;
import labsh.kernel.KernelException;
import labsh.kernel.NsType;
import labsh.kernel.SealedMemfd;

/**
 * Starts processes in new or existing namespaces through {@code nsinit}, the small single-threaded
 * C program built from dsl/src/main/c (a multithreaded JVM cannot do it itself: shared/DESIGN.md).
 *
 * <p>The JVM runs nsinit with {@link ProcessBuilder}, so the container's stdin/stdout/stderr are
 * nsinit's and stay free for the payload; the two talk over a unix socket that nsinit connects to
 * (a ProcessBuilder child gets no other inherited descriptors). The exchange:
 * <pre>
 *   nsinit: clone 4242        the child exists and waits  -> ledger, then beforeStart(4242) (cgroups)
 *   labsh:  g                 go
 *   nsinit: pid 4242          the command has been exec'd  (or: error pivot_root("/x", ...): EINVAL (...))
 * </pre>
 */
public final class NativeStage {
    /** What a command run to completion left: its exit code and its stdout+stderr. */
    public record Result(int exitCode, String output) {}

    private static final Pattern ERRNO_LINE = Pattern.compile("error (.*): (E[A-Z0-9]+) \\((.*)\\)");
    private static final AtomicInteger SEQ = new AtomicInteger();

    static {
        // JDK 12+ starts children through posix_spawn of jspawnhelper, which then execs the
        // program: two execs. VFORK execs nsinit directly and measured 1.3 ms faster per start
        // (half the JVM's share of a container start; bench/container-start). It only takes effect
        // if no process was started before this class loaded; the labsh launcher sets it too.
        // (Java 17 supports it; later JDKs deprecate it, so leave them alone.)
        if (Runtime.version().feature() < 21 && System.getProperty("jdk.lang.Process.launchMechanism") == null) {
            System.setProperty("jdk.lang.Process.launchMechanism", "VFORK");
        }
    }

    private NativeStage() {}

    /** Starts {@code spec}; returns once its command has been exec'd, or throws naming the failed step. */
    public static NsProcess start(LaunchSpec spec) {
        Path sock = socketPath();
        Ledger ledger = Ledger.current();
        Ledger.Entry sockEntry = ledger.intend("file", "path", sock.toString());
        // Both processes are recorded before they exist (ledger rule), completed with pid+start below.
        Ledger.Entry stageEntry = ledger.intend("process", "role", "nsinit");
        Ledger.Entry childEntry = ledger.intend("process", "role", spec.joinPid() == 0 ? "container" : "joined");
        Launch l = new Launch(spec, stageEntry, childEntry);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            l.process = processBuilder(spec, sock).start();
            int stagePid = (int) l.process.pid();
            stageEntry.created("pid", Integer.toString(stagePid), "start", Long.toString(ProcFs.startTime(stagePid)));
            l.channel = acceptFrom(server, l.process);
        } catch (IOException e) {
            l.abort();
            throw new UncheckedIOException("cannot start nsinit (" + spec + "): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            l.abort();
            throw e;
        } finally {
            deleteQuietly(sock);
            sockEntry.removed();
        }
        return l.handshake();
    }

    /**
     * Runs {@code command} inside the {@code types} namespaces of {@code targetPid} (like
     * nsenter(1)) and waits for it: e.g. {@code ipcs} in a container's IPC namespace.
     */
    public static Result joinAndRun(int targetPid, Set<NsType> types, List<String> command) {
        return run(LaunchSpec.command(command).join(targetPid).namespaces(types).stdout(Redirect.PIPE).mergeStderr().build());
    }

    /**
     * Starts {@code spec} with its stdout a pipe and stderr merged into it, reads everything it
     * prints and waits for its end: a command run to completion (e.g. in a container, joined).
     */
    public static Result run(LaunchSpec spec) {
        if (spec.stdout() != Redirect.PIPE || !spec.mergeStderr()) {
            throw new IllegalArgumentException("run() reads the output: build the spec with stdout(PIPE) and mergeStderr()");
        }
        try (NsProcess p = start(spec)) {
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the output of " + spec + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + spec, e);
        }
    }

    /**
     * nsinit's connection. nsinit may exit before or right after connecting (a refused request:
     * its "error" line is then waiting in the connection), so poll rather than block: accept what
     * is there, and give up only once nsinit is gone and nothing is pending.
     */
    private static SocketChannel acceptFrom(ServerSocketChannel server, Process nsinit) throws IOException {
        server.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            for (;;) {
                boolean gone = !nsinit.isAlive();
                SocketChannel ch = server.accept();
                if (ch != null) {
                    ch.configureBlocking(true);
                    return ch;
                }
                if (gone) throw new IOException("nsinit exited with status " + nsinit.exitValue() + " before it connected");
                selector.select(100);
                selector.selectedKeys().clear();
            }
        }
    }

    /** One start in progress: what to undo if it fails half-way. */
    private static final class Launch {
        final LaunchSpec spec;
        final Ledger.Entry stageEntry, childEntry;
        Process process;
        SocketChannel channel;
        int childPid;
        long childStart = -1;

        Launch(LaunchSpec spec, Ledger.Entry stageEntry, Ledger.Entry childEntry) {
            this.spec = spec;
            this.stageEntry = stageEntry;
            this.childEntry = childEntry;
        }

        NsProcess handshake() {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.US_ASCII));
                String line = in.readLine();
                if (line == null || !line.startsWith("clone ")) throw failure(line);
                childPid = Integer.parseInt(line.substring(6).trim());
                childStart = ProcFs.startTime(childPid);
                childEntry.created("pid", Integer.toString(childPid), "start", Long.toString(childStart));
                if (spec.beforeStart() != null) spec.beforeStart().accept(childPid);
                channel.write(ByteBuffer.wrap(new byte[] {'g'}));
                line = in.readLine();
                if (line == null || !line.startsWith("pid ")) throw failure(line);
                channel.close();
                return new NsProcess(process, childPid, childStart, spec, stageEntry, childEntry);
            } catch (IOException e) {
                abort();
                throw new UncheckedIOException("talking to nsinit (" + spec + "): " + e.getMessage(), e);
            } catch (RuntimeException e) {
                abort();
                throw e;
            }
        }

        /** nsinit's "error ..." line as an exception; a missing line means nsinit itself died. */
        private RuntimeException failure(String line) {
            if (line == null) {
                waitQuietly(process);
                return new KernelException("nsinit " + spec, "it exited with status "
                        + (process.isAlive() ? "?" : process.exitValue()) + " before reporting");
            }
            Matcher m = ERRNO_LINE.matcher(line);
            if (m.matches()) return new LaunchException(m.group(1), errnoByName(m.group(2)), line);
            return new LaunchException(line.startsWith("error ") ? line.substring(6) : line, line);
        }

        /** Closing the socket before "go" makes nsinit kill the child and exit; then both are reaped. */
        void abort() {
            closeQuietly(channel);
            if (process != null) {
                waitQuietly(process);
                if (process.isAlive()) process.destroyForcibly();
                waitQuietly(process);
            }
            if (childPid > 0 && ProcFs.isSameProcess(childPid, childStart)) {
                ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (process == null || !process.isAlive()) {
                childEntry.removed();
                stageEntry.removed();
            }
        }
    }

    /** A failed step of nsinit, e.g. {@code pivot_root(".", ".") in "/x" failed: EINVAL (Invalid argument)}. */
    public static final class LaunchException extends KernelException {
        private final String line;

        LaunchException(String call, int errno, String line) {
            super(call, errno);
            this.line = line;
        }

        LaunchException(String why, String line) {
            super("nsinit", why);
            this.line = line;
        }

        /** nsinit's own report, exactly: {@code error pivot_root(".", ".") in "/x": EINVAL (Invalid argument)}. */
        public String line() { return line; }
    }

    private static ProcessBuilder processBuilder(LaunchSpec spec, Path sock) {
        List<String> args = new ArrayList<>();
        args.add(executable());
        args.add("-c");
        args.add(sock.toString());
        args.addAll(spec.nsinitArgs());
        args.add("--");
        args.addAll(spec.command());
        ProcessBuilder pb = new ProcessBuilder(args)
                .redirectInput(spec.stdin()).redirectOutput(spec.stdout()).redirectError(spec.stderr())
                .redirectErrorStream(spec.mergeStderr());
        if (spec.clearEnv()) pb.environment().clear();
        pb.environment().putAll(spec.env());
        return pb;
    }

    /**
     * What ProcessBuilder executes: {@code /proc/<this JVM>/fd/N}, a sealed memfd holding nsinit's
     * bytes, made once per JVM. A container's PID 1 (nsinit's init) and every nsinit that joins a
     * container are then that memfd, not a host file: the runc CVE-2019-5736 class, where a
     * container opens /proc/1/exe (or a {@code #!/proc/self/exe} script run by exec/attach) for
     * writing and overwrites the runtime, finds nothing it can write. The seals (fcntl(2)
     * F_ADD_SEALS: WRITE, GROW, SHRINK, then SEAL) hold for everyone, root included; runc does the
     * same in cloned_binary.c, but per start, by copying itself. Here the copy costs once per JVM
     * and the per-start cost is none (bench/container-start). The path resolves through this JVM's
     * descriptor table, so the child needs no inherited descriptor (the JDK closes them) and the
     * memfd can stay close-on-exec for every other child. nsinit names itself "nsinit" (comm).
     */
    public static String executable() {
        String e = executable;
        if (e != null) return e;
        synchronized (NativeStage.class) {
            if (executable == null) executable = sealedCopy(nsinitBytes());
            return executable;
        }
    }

    private static volatile String executable;

    private static byte[] nsinitBytes() {
        URL url = NativeStage.class.getResource("/labsh/native/nsinit");
        if (url == null) {
            throw new IllegalStateException("nsinit is missing from the classpath (labsh/native/nsinit): build with mvn, which compiles dsl/src/main/c");
        }
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read nsinit from " + url + ": " + e.getMessage(), e);
        }
    }

    private static String sealedCopy(byte[] bytes) {
        labsh.kernel.Libc.load();
        try {
            return "/proc/" + ProcessHandle.current().pid() + "/fd/" + SealedMemfd.executable("nsinit", bytes);
        } catch (KernelException e) {
            if (e.is(Errno.EACCES)) {
                throw new IllegalStateException("labsh runs nsinit from a sealed, executable memfd (so that no container can overwrite it),"
                        + " and this kernel forbids executable memfds (vm.memfd_noexec=2): set it to 0 or 1 (sysctl vm.memfd_noexec=1)");
            }
            throw new IllegalStateException("cannot make nsinit's sealed copy: " + e.getMessage(), e);
        }
    }

    /**
     * A fresh socket path per start. sun_path holds 108 bytes, so a long state directory (tests
     * point it into target/) falls back to the temp directory; the file lives only until accept.
     */
    private static Path socketPath() {
        String name = "nsinit-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet() + ".sock";
        Path dir = Ledger.stateDir().resolve("run");
        if (dir.resolve(name).toString().length() > 100) dir = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + " for nsinit's control socket: " + e.getMessage(), e);
        }
        return dir.resolve(name);
    }

    static int errnoByName(String name) {
        for (int i = 1; i < 200; i++) if (Errno.name(i).equals(name)) return i;
        return 0;
    }

    static void waitQuietly(Process p) {
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) c.close();
        } catch (IOException ignored) {
            // closing only to unblock or release: nothing to report
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover socket file is removed by `labsh clean` through the ledger
        }
    }
}
