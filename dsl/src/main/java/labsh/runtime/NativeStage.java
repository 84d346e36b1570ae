package labsh.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.StandardProtocolFamily;
import java.net.URISyntaxException;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import labsh.kernel.Errno;
import labsh.kernel.KernelException;
import labsh.kernel.NsType;

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
    private static volatile Path binary;

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
        args.add(binary().toString());
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
     * The nsinit executable: straight from target/classes when labsh runs from a build directory,
     * else copied out of the jar into {@code <state>/bin/<content hash>/nsinit} (or ~/.cache/labsh/bin
 * when the state directory is on a noexec mount), so a rebuilt jar
     * gets a fresh copy. The file keeps the name nsinit (leak checks look for that process name).
     */
    public static Path binary() {
        Path b = binary;
        if (b != null) return b;
        synchronized (NativeStage.class) {
            if (binary == null) binary = locate();
            return binary;
        }
    }

    private static Path locate() {
        URL url = NativeStage.class.getResource("/labsh/native/nsinit");
        if (url == null) {
            throw new IllegalStateException("nsinit is missing from the classpath (labsh/native/nsinit): build with mvn, which compiles dsl/src/main/c");
        }
        try {
            if ("file".equals(url.getProtocol())) return executable(Path.of(url.toURI()));
            byte[] bytes;
            try (InputStream in = url.openStream()) {
                bytes = in.readAllBytes();
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
            Path target = cacheDir().resolve(hash).resolve("nsinit");
            if (!Files.isRegularFile(target)) {
                Files.createDirectories(target.getParent());
                Path tmp = Files.createTempFile(target.getParent(), "nsinit", ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return executable(target);
        } catch (IOException | URISyntaxException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot install nsinit from " + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code <state>/bin}, unless that file system is mounted noexec (Debian's initramfs mounts
     * /run so), where execve(2) would fail with EACCES: then the user's cache directory.
     */
    private static Path cacheDir() {
        Path state = Ledger.stateDir().resolve("bin");
        return noexec(state) ? Path.of(System.getProperty("user.home"), ".cache", "labsh", "bin") : state;
    }

    private static boolean noexec(Path p) {
        Path q = p.toAbsolutePath();
        while (q != null && !Files.exists(q)) q = q.getParent();
        if (q == null) return false;
        labsh.kernel.Libc.load(); // sets JNA's library path before jna-platform's LibC loads
        var st = new com.sun.jna.platform.linux.LibC.Statvfs();
        if (com.sun.jna.platform.linux.LibC.INSTANCE.statvfs(q.toString(), st) != 0) return false;
        return (st.f_flag.longValue() & ST_NOEXEC) != 0;
    }

    private static final long ST_NOEXEC = 8; // statvfs(3)

    private static Path executable(Path p) throws IOException {
        if (!Files.isExecutable(p)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
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
