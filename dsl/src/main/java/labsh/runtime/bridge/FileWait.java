package labsh.runtime.bridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import labsh.kernel.Inotify;

/** Waits for a file to appear, on inotify events of its directory (never by polling the file). */
public final class FileWait {
    private FileWait() {}

    /**
     * Returns once {@code file} exists and was closed after writing (or moved in), or throws after
     * {@code timeout}. The path may lead through /proc/PID/root, into another mount namespace.
     */
    public static void until(Path file, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Inotify in = Inotify.open()) {
            in.addWatch(file.getParent(), Inotify.IN_CLOSE_WRITE | Inotify.IN_MOVED_TO);
            if (Files.exists(file)) return; // there before the watch: no event will come
            for (;;) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) throw new IllegalStateException("no " + file + " after " + timeout.toSeconds() + " s");
                for (Inotify.Event e : in.poll((int) left)) {
                    if (e.name().equals(file.getFileName().toString())) return;
                }
            }
        }
    }
}
