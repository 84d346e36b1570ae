package labsh.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The labsh checkout, for the files that are built on the user's machine rather than shipped in
 * the jar (the C sources of labs/c). The launcher passes {@code -Dlabsh.home}; tests run inside the
 * checkout, so walking up from the working directory finds it too.
 */
public final class Repository {
    private Repository() {}

    public static Path root() {
        String home = System.getProperty("labsh.home");
        if (home != null && Files.isDirectory(Path.of(home, "labs"))) return Path.of(home);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("labs/c")) && Files.exists(p.resolve("pom.xml"))) return p;
        }
        throw new IllegalStateException("cannot find the labsh checkout (labs/c): run labsh through its launcher, or set -Dlabsh.home");
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }
}
