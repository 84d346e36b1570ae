package labsh.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
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
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import labsh.kernel.NsType;

/**
 * The native stage, {@code nsinit} (dsl/src/main/c/nsinit.c): the single-threaded C program that
 * creates namespaces and joins them on the JVM's behalf, because a multithreaded process cannot
 * (shared/DESIGN.md, "process model"). This class finds the binary and builds its command lines.
 */
public final class NativeStage {
    private static final String RESOURCE = "/labsh/native/nsinit";
    private static Path binary;

    private NativeStage() {}

    /** What a joined command printed, and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {}

    /**
     * The nsinit executable: in target/classes when labsh runs from a build directory; extracted
     * from the jar to {@code STATE/bin/nsinit-<sha256 prefix>} otherwise (a jar entry cannot be exec'd).
     */
    public static synchronized Path binary() {
        if (binary != null) return binary;
        URL url = NativeStage.class.getResource(RESOURCE);
        if (url == null) throw new IllegalStateException("labsh's native stage " + RESOURCE + " is missing: build with `mvn package` (needs gcc and make)");
        try {
            if ("file".equals(url.getProtocol())) {
                binary = Path.of(url.toURI());
            } else {
                byte[] bytes;
                try (InputStream in = url.openStream()) { bytes = in.readAllBytes(); }
                String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
                Path dir = Ledger.stateDir().resolve("bin");
                Path target = dir.resolve("nsinit-" + sum);
                if (!Files.isExecutable(target)) {
                    Files.createDirectories(dir);
                    Path tmp = Files.createTempFile(dir, "nsinit-", ".tmp");
                    Files.write(tmp, bytes);
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
                binary = target;
            }
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract labsh's native stage: " + e.getMessage(), e);
        } catch (URISyntaxException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code pid,mnt} as nsinit's --ns wants it. */
    static String nsList(Set<NsType> types) {
        return types.stream().sorted().map(NsType::procName).collect(Collectors.joining(","));
    }

    /** The {@code nsinit run} command line for {@code spec}, reporting to and waiting on the given FIFOs. */
    static List<String> runCommand(LaunchSpec spec, Path report, Path go) {
        List<String> c = new ArrayList<>(List.of(binary().toString(), "run"));
        if (!spec.namespaces().isEmpty()) { c.add("--ns"); c.add(nsList(spec.namespaces())); }
        if (spec.hostname() != null) { c.add("--hostname"); c.add(spec.hostname()); }
        if (spec.rootfs() != null) { c.add("--rootfs"); c.add(spec.rootfs().toString()); }
        for (String b : spec.binds()) { c.add("--bind"); c.add(b); }
        for (String p : spec.procPaths()) { c.add("--proc"); c.add(p); }
        if (spec.init()) c.add("--init");
        c.addAll(List.of("--report", report.toString(), "--wait-go", "--go", go.toString(), "--"));
        c.addAll(spec.command());
        return c;
    }

    /**
     * Runs {@code cmd} inside the namespaces {@code types} of process {@code pid}, like nsenter(1),
     * and waits for it. The JVM itself never moves: nsinit setns()es and execs.
     */
    public static Result joinAndRun(int pid, Set<NsType> types, String... cmd) {
        List<String> c = new ArrayList<>(List.of(binary().toString(), "join", "--pid", Integer.toString(pid), "--ns", nsList(types), "--"));
        c.addAll(List.of(cmd));
        try {
            Process p = new ProcessBuilder(c).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
            String out = drain(p.getInputStream());
            int code = p.waitFor();
            return new Result(code, out, err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining process " + pid, e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
