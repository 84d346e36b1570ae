package labsh.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * How each kind of ledger entry is removed. Used both by a running labsh ({@link Ledger#unwind})
 * and by {@code labsh clean} in a fresh process, so a remover works from the recorded fields
 * alone, is idempotent (the object may be half made, or already gone), and never removes an
 * object that only looks like labsh's: each checks the identity the entry recorded.
 */
public final class Removers {
    private static final Map<String, Consumer<Map<String, String>>> BY_KIND = new ConcurrentHashMap<>();

    static {
        register("file", f -> deleteTree(Path.of(f.get("path")), false));
        register("dir", f -> deleteTree(Path.of(f.get("path")), true));
        register("process", Removers::killProcess);
        register("route", HostRoute::remove);
        register("shm", labsh.kernel.SharedMemory::removeRecorded);
        register("msg", labsh.kernel.MessageQueues::removeRecorded);
        register("cgroup", labsh.kernel.Cgroups::removeRecorded);
        register("mount", labsh.kernel.Mounts::removeRecorded);
        register("veth", labsh.runtime.net.Veth::removeRecorded);
        register("bridge", labsh.runtime.net.Bridge::removeRecorded);
        register(labsh.runtime.container.ContainerDir.KIND, labsh.runtime.container.ContainerDir::removeRecorded);
    }

    private Removers() {}

    public static void register(String kind, Consumer<Map<String, String>> remover) {
        BY_KIND.put(kind, remover);
    }

    public static void remove(String kind, Map<String, String> fields) {
        Consumer<Map<String, String>> r = BY_KIND.get(kind);
        if (r == null) throw new IllegalStateException("no remover for ledger kind '" + kind + "'");
        r.accept(fields);
    }

    /** A process is killed only if its pid still names the process labsh started (same start time). */
    private static void killProcess(Map<String, String> f) {
        if (!f.containsKey("pid")) return; // intended, never started
        int pid = Integer.parseInt(f.get("pid"));
        long start = Long.parseLong(f.getOrDefault("start", "-1"));
        if (!ProcFs.isSameProcess(pid, start)) return;
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            try {
                p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("process " + pid + " did not exit after SIGKILL");
            }
        });
    }

    private static void deleteTree(Path p, boolean recursive) {
        try {
            if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
            if (recursive && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(q);
                }
            } else {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }
}
