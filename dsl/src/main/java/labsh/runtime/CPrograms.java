package labsh.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The C programs of labs/c, compiled on first use with the system compiler into
 * {@code stateDir()/c/<hash of the sources>}, so an edit of a .c file rebuilds and nothing else does.
 */
public final class CPrograms {
    private CPrograms() {}

    /** The directory holding ex5-server and ex5-client (labs/c/ex5), built if needed. */
    public static synchronized Path ex5() {
        return build("ex5");
    }

    /** The directory holding the bridge's echo roles and the C bridge (labs/c/bridge), built if needed. */
    public static synchronized Path bridge() {
        return build("bridge");
    }

    static Path build(String name) {
        Path sources = Repository.path("labs/c/" + name);
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var s = Files.list(sources)) {
                for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                    if (!Files.isRegularFile(p)) continue;
                    md.update(p.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                    md.update(Files.readAllBytes(p));
                }
            }
            Path out = Ledger.stateDir().resolve("c").resolve(name + "-" + HexFormat.of().formatHex(md.digest()).substring(0, 12));
            if (Files.exists(out.resolve(".built"))) return out;
            Process p = new ProcessBuilder("make", "-s", "-C", sources.toString(), "OUT=" + out)
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IllegalStateException("cannot compile labs/c/" + name + ": " + log.strip());
            Files.writeString(out.resolve(".built"), "");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile labs/c/" + name + " (is gcc installed? scripts/install-deps): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling labs/c/" + name);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
