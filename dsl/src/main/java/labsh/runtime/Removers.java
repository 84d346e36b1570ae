package labsh.runtime;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import labsh.kernel.Beneath;
import labsh.kernel.Errno;
import labsh.kernel.KernelException;
import labsh.kernel.MountInfo;
import labsh.kernel.Namespaces;
import labsh.kernel.NsType;
import labsh.kernel.SysvIpcTable;
import labsh.runtime.net.NetNs;

/**
 * How each kind of ledger entry is removed. Used both by a running labsh ({@link Ledger#unwind})
 * and by {@code labsh clean} in a fresh process, so a remover works from the recorded fields
 * alone, is idempotent (the object may be half made, or already gone), and never removes an
 * object that only looks like labsh's: each checks the identity the entry recorded.
 *
 * <p>Each kind also has a probe ({@link #probe}) that says, from the kernel, whether the object is
 * there, gone, or somewhere this process cannot reach (another namespace): {@code labsh clean}
 * reports what was really done from it, never "removed" for an object a remover skipped.
 *
 * <p>Files and directories are deleted through a descriptor ({@link Beneath}): the state directory
 * is opened once, and every name below it is resolved with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS
 * and unlinked under its parent's descriptor, so a container that swaps a subdirectory of a shared
 * directory for a symlink makes labsh remove the link, never what it points to.
 */
public final class Removers {
    /**
     * Whether an object is there: {@code why} says how it went, or where it is instead;
     * {@code identity} tells one object at a name from the next (a mount's id, a file's inode), so
     * that a second mount stacked at the same path is not taken for the one just removed.
     */
    public record Probe(State state, String why, String identity) {
        public enum State { PRESENT, GONE, ELSEWHERE }

        static Probe present() { return new Probe(State.PRESENT, null, null); }

        static Probe present(String identity) { return new Probe(State.PRESENT, null, identity); }

        static Probe gone(String why) { return new Probe(State.GONE, why, null); }

        static Probe elsewhere(String why) { return new Probe(State.ELSEWHERE, why, null); }
    }

    private record Kind(Consumer<Map<String, String>> remover, Function<Map<String, String>, Probe> probe) {}

    private static final Map<String, Kind> BY_KIND = new ConcurrentHashMap<>();

    static {
        register("file", f -> deletePath(f.get("path")), Removers::pathProbe);
        register("dir", Removers::removeDir, Removers::pathProbe);
        register("process", Removers::killProcess, Removers::processProbe);
        register("route", HostRoute::remove, f -> f.get("dest") != null && HostRoute.exists(f.get("dest")) ? Probe.present() : Probe.gone(null));
        register("shm", labsh.kernel.SharedMemory::removeRecorded, f -> ipcProbe(f, SysvIpcTable.sharedMemory()));
        register("msg", labsh.kernel.MessageQueues::removeRecorded, f -> ipcProbe(f, SysvIpcTable.messageQueues()));
        register("cgroup", labsh.kernel.Cgroups::removeRecorded, Removers::cgroupProbe);
        register("mount", labsh.kernel.Mounts::removeRecorded, Removers::mountProbe);
        register("veth", labsh.runtime.net.Veth::removeRecorded, f -> linkProbe(f, List.of("a", "b"), null));
        register("bridge", labsh.runtime.net.Bridge::removeRecorded, f -> linkProbe(f, List.of("hub"), f.get("name")));
        register(labsh.runtime.container.ContainerDir.KIND, labsh.runtime.container.ContainerDir::removeRecorded, Removers::pathProbe);
    }

    private Removers() {}

    /** A kind without a probe: {@code labsh clean} can then only say it ran the remover, not that it removed anything. */
    public static void register(String kind, Consumer<Map<String, String>> remover) {
        register(kind, remover, null);
    }

    public static void register(String kind, Consumer<Map<String, String>> remover, Function<Map<String, String>, Probe> probe) {
        BY_KIND.put(kind, new Kind(remover, probe));
    }

    public static void remove(String kind, Map<String, String> fields) {
        kind(kind).remover().accept(fields);
    }

    /** What the kernel says of the object now; null when the kind has no probe. */
    public static Probe probe(String kind, Map<String, String> fields) {
        Function<Map<String, String>, Probe> p = kind(kind).probe();
        return p == null ? null : p.apply(fields);
    }

    private static Kind kind(String kind) {
        Kind k = BY_KIND.get(kind);
        if (k == null) throw new IllegalStateException("no remover for ledger kind '" + kind + "'");
        return k;
    }

    /** A process is killed only if its pid still names the process labsh started (same start time). */
    private static void killProcess(Map<String, String> f) {
        if (!f.containsKey("pid")) return; // intended, never started
        int pid = Integer.parseInt(f.get("pid"));
        long start = Long.parseLong(f.getOrDefault("start", "-1"));
        kill(pid, start);
    }

    private static void kill(int pid, long start) {
        if (!ProcFs.isSameProcess(pid, start)) return;
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("process " + pid + " did not exit after SIGKILL");
            }
        });
    }

    private static Probe processProbe(Map<String, String> f) {
        if (!f.containsKey("pid")) return Probe.gone("never started");
        int pid = Integer.parseInt(f.get("pid"));
        long start = Long.parseLong(f.getOrDefault("start", "-1"));
        return ProcFs.isSameProcess(pid, start) ? Probe.present() : Probe.gone(null);
    }

    /**
     * A directory shared with containers (a FIFO's: {@code members=PID:START,...}, their PID 1s) is
     * deleted only once they are stopped. The ledger removes newest first, and the directory is made
     * after its containers, so it would otherwise go while they still run and can still write into
     * it (an open descriptor survives the unmount). SIGKILL to a PID 1 ends its whole pid namespace.
     */
    private static void removeDir(Map<String, String> f) {
        for (long[] m : members(f)) kill((int) m[0], m[1]);
        deletePath(f.get("path"));
    }

    /** "PID:START,PID:START" as the dir entry records them ({@link #membersField}). */
    static List<long[]> members(Map<String, String> f) {
        List<long[]> out = new ArrayList<>();
        String s = f.get("members");
        if (s == null || s.isBlank()) return out;
        for (String m : s.split(",")) {
            String[] pidStart = m.split(":");
            if (pidStart.length != 2 || !pidStart[0].matches("\\d{1,9}") || !pidStart[1].matches("\\d{1,18}")) continue;
            out.add(new long[] {Long.parseLong(pidStart[0]), Long.parseLong(pidStart[1])});
        }
        return out;
    }

    /** The {@code members} field of a shared directory's entry, from (pid, start time) pairs. */
    public static String membersField(List<long[]> pidStart) {
        StringBuilder sb = new StringBuilder();
        for (long[] m : pidStart) sb.append(sb.length() == 0 ? "" : ",").append(m[0]).append(':').append(m[1]);
        return sb.toString();
    }

    private static Probe pathProbe(Map<String, String> f) {
        String p = f.get("path");
        if (p == null) return Probe.gone("no path recorded");
        try {
            return Probe.present(Files.getAttribute(Path.of(p), "unix:dev", LinkOption.NOFOLLOW_LINKS) + ":"
                    + Files.getAttribute(Path.of(p), "unix:ino", LinkOption.NOFOLLOW_LINKS));
        } catch (java.io.IOException e) {
            return Probe.gone(null);
        }
    }

    /**
     * Deletes the recorded path and everything under it, fd-relative: beneath the state directory
     * through the state directory's descriptor (no symlink followed anywhere below it), elsewhere
     * (a lab's info directory, the temp directory) through its parent directory's descriptor.
     * A symlink swapped in mid-walk is removed as a link; if the race makes a step fail (ELOOP,
     * ENOTEMPTY), the walk is retried, and the error stands after a few tries.
     */
    public static void deletePath(String recorded) {
        if (recorded == null) return;
        Path p = Path.of(recorded).toAbsolutePath().normalize();
        if (p.getParent() == null) throw new IllegalArgumentException("refusing to delete /");
        Path state = Ledger.stateDir().toAbsolutePath().normalize();
        Path base = p.startsWith(state) && !p.equals(state) ? state : p.getParent();
        String rel = base.relativize(p).toString();
        for (int attempt = 1; ; attempt++) {
            try (Beneath dir = Beneath.open(base)) {
                dir.deleteTree(rel);
                return;
            } catch (KernelException e) {
                if (e.is(Errno.ENOENT)) return; // the directory, or one on the way, is gone already
                boolean race = e.is(40 /* ELOOP */) || e.is(39 /* ENOTEMPTY */) || e.is(18 /* EXDEV */) || e.is(20 /* ENOTDIR */);
                if (!race || attempt >= 5) throw new IllegalStateException("cannot delete " + p + ": " + e.getMessage(), e);
            }
        }
    }

    private static Probe ipcProbe(Map<String, String> f, List<SysvIpcTable.Row> table) {
        String id = f.get("id");
        if (id == null || f.get("ipcns") == null || f.get("key") == null) return Probe.gone("never created");
        long ns = Long.parseLong(f.get("ipcns"));
        if (Namespaces.ofThisThread(NsType.IPC) != ns) return Probe.elsewhere("in IPC namespace " + ns + ", not this one: it goes with that namespace");
        int key = (int) Long.parseLong(f.get("key").substring(2), 16), n = Integer.parseInt(id);
        return table.stream().anyMatch(r -> r.id() == n && r.key() == key) ? Probe.present() : Probe.gone(null);
    }

    private static Probe cgroupProbe(Map<String, String> f) {
        String p = f.get("path");
        if (p == null || !Files.isDirectory(Path.of(p), LinkOption.NOFOLLOW_LINKS)) return Probe.gone(null);
        Path dir = Path.of(p);
        if (!p.contains("/labsh")) return Probe.elsewhere("not under a labsh parent group");
        if (dir.getFileName().toString().equals("labsh")) {
            try (var sub = Files.list(dir)) {
                if (sub.anyMatch(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))) return Probe.elsewhere("it still holds groups of another labsh");
            } catch (java.io.IOException e) {
                return Probe.elsewhere("cannot list it (" + e.getMessage() + ")");
            }
        }
        return Probe.present();
    }

    private static Probe mountProbe(Map<String, String> f) {
        String p = f.get("path"), ns = f.get("mntns");
        if (p == null || ns == null) return Probe.gone("never made");
        long here = Namespaces.ofThisThread(NsType.MNT);
        if (!ns.equals(Long.toString(here))) return Probe.elsewhere("in mount namespace " + ns + " (not this one): it goes with that namespace");
        MountInfo m = MountInfo.at(MountInfo.ofThisThread(), p);
        return m != null ? Probe.present(Integer.toString(m.id())) : Probe.gone(null);
    }

    private static Probe linkProbe(Map<String, String> f, List<String> sides, String name) {
        if (!"yes".equals(f.get("made"))) return Probe.gone("never made");
        for (String side : sides) {
            if (!f.containsKey(side + "pid")) continue;
            NetNs ns = new NetNs(Integer.parseInt(f.get(side + "pid")), Long.parseLong(f.get(side + "start")), Long.parseLong(f.get(side + "net")));
            String ifname = name != null ? name : f.get(side);
            if (ifname != null && ns.isAlive() && ns.interfaces().contains(ifname)) return Probe.present();
        }
        return Probe.gone(null);
    }
}
