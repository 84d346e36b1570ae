package labsh.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labsh.runtime.Ledger;

/**
 * cgroups v1 and v2 behind one {@link Cgroup}. Which one is used is read from the mounts: a pure
 * v2 machine has /sys/fs/cgroup/cgroup.controllers; a v1 (or hybrid) machine has a hierarchy per
 * controller under /sys/fs/cgroup (a hybrid's /sys/fs/cgroup/unified holds no controllers that v1
 * already holds, so v1 is used there). labsh's groups live under a {@code labsh} parent.
 */
public final class Cgroups {
    public enum Version { V1, V2 }

    static final Path ROOT = Path.of("/sys/fs/cgroup");

    private Cgroups() {}

    public static Version version() {
        if (Files.exists(ROOT.resolve("cgroup.controllers"))) return Version.V2;
        if (Files.isDirectory(ROOT.resolve("memory"))) return Version.V1;
        throw new IllegalStateException("no cgroup hierarchy is mounted at /sys/fs/cgroup");
    }

    /** Creates labsh/NAME (recorded in the ledger before each mkdir). */
    public static Cgroup create(String name) {
        return create(ROOT, version(), name);
    }

    /**
     * Creates NAME under another mount point of the hierarchy: for specs that check the files of
     * the version this machine does not mount, on a directory tree laid out like it.
     */
    static Cgroup create(Path root, Version version, String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("cgroup name '" + name + "': use letters, digits, '.', '_' or '-'");
        return version == Version.V2 ? new V2(root, name) : new V1(root, name);
    }

    /** "64M", "1G", "512k", "1048576" → bytes; anything else (negative, "12qq", empty) is one clear line. */
    public static long parseMemory(String text) {
        Matcher m = Pattern.compile("(\\d{1,15})([kKmMgG]?)[bB]?").matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("memory limit '" + text + "': give bytes, or a number with k, M or G (e.g. 64M)");
        }
        long n = Long.parseLong(m.group(1));
        long bytes = switch (m.group(2).toLowerCase()) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
        if (bytes < 1 << 20) throw new IllegalArgumentException("memory limit '" + text + "': under 1M no program starts; give at least 1M");
        return bytes;
    }

    /** 1 to 100 × the number of CPUs ("50" or "50%"). */
    public static int parseCpuPercent(String text) {
        int max = 100 * Runtime.getRuntime().availableProcessors();
        String t = text == null ? "" : text.strip().replaceFirst("%$", "");
        if (!t.matches("\\d{1,6}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > max) {
            throw new IllegalArgumentException("cpu percent '" + text + "': give 1 to " + max + " (100 per CPU, this machine has "
                    + Runtime.getRuntime().availableProcessors() + ")");
        }
        return Integer.parseInt(t);
    }

    /** The ledger's remover: rmdir a recorded group if it is still there and under a labsh parent. */
    public static void removeRecorded(Map<String, String> fields) {
        String path = fields.get("path");
        if (path == null || !path.contains("/labsh")) return;
        Path dir = Path.of(path);
        if (!Files.isDirectory(dir)) return;
        if (dir.getFileName().toString().equals("labsh")) {
            try (var sub = Files.list(dir)) {
                if (sub.anyMatch(Files::isDirectory)) return; // another run's groups are still in it
            } catch (IOException e) {
                return;
            }
        }
        try {
            rmdir(dir);
        } catch (IOException e) {
            throw new KernelException("rmdir(" + Syscall.quote(path) + ")", e.getMessage() + " (processes still in it?)");
        }
    }

    /**
     * rmdir(2) of a group. The kernel refuses (EBUSY) while killed processes in it are still
     * exiting, which takes a moment right after a kill (a lab's end, `labsh clean` after kill -9):
     * retried for up to a second before the error stands.
     */
    private static void rmdir(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (attempt >= 50) throw e;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new KernelException("read(" + file + ")", e.getMessage());
        }
    }

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
            Trace.record("write", Syscall.quote(file.toString()) + ", " + Syscall.quote(value), Integer.toString(value.length()), 0);
        } catch (IOException e) {
            throw new KernelException("write(" + Syscall.quote(file.toString()) + ", " + Syscall.quote(value) + ")", e.getMessage());
        }
    }

    /**
     * mkdir of each missing directory from the labsh parent down, each recorded first. The parent
     * is shared by every labsh run on the machine, and each run removes it once it looks empty
     * (rmdirAll): another run may make it between our look and our mkdir (EEXIST: fine, it is not
     * ours), or remove it between our look and the mkdir of our group (ENOENT: make it again).
     */
    static List<Ledger.Entry> mkdirs(Path parent, Path dir) {
        List<Ledger.Entry> made = new ArrayList<>();
        for (int attempt = 0; ; attempt++) {
            try {
                for (Path d : List.of(parent, dir)) {
                    if (Files.isDirectory(d)) continue;
                    Ledger.Entry e = Ledger.current().intend("cgroup", "path", d.toString());
                    try {
                        Files.createDirectory(d);
                        Trace.record("mkdir", Syscall.quote(d.toString()), "0", 0);
                        made.add(e);
                    } catch (java.nio.file.FileAlreadyExistsException ex) {
                        e.removed(); // another run made it a moment ago
                        if (d.equals(dir)) throw new KernelException("mkdir(" + Syscall.quote(d.toString()) + ")", "File exists (a group of that name is in use)");
                    } catch (IOException ex) {
                        e.removed();
                        throw ex;
                    }
                }
                return made;
            } catch (java.nio.file.NoSuchFileException e) {
                if (attempt >= 3) throw new KernelException("mkdir(" + Syscall.quote(dir.toString()) + ")", e.getMessage() + " (its parent keeps going away)");
            } catch (IOException e) {
                throw new KernelException("mkdir(" + Syscall.quote(dir.toString()) + ")", e.getMessage());
            }
        }
    }

    static long field(String text, String key) {
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals(key)) return Long.parseLong(f[1]);
        }
        return 0;
    }

    static List<Integer> pidsOf(Path procs) {
        List<Integer> pids = new ArrayList<>();
        for (String l : read(procs).split("\n")) if (!l.isBlank()) pids.add(Integer.parseInt(l.trim()));
        return pids;
    }

    static void rmdirAll(List<Path> dirs, List<Ledger.Entry> entries) {
        for (Path d : dirs) {
            try {
                rmdir(d);
                Trace.record("rmdir", Syscall.quote(d.toString()), "0", 0);
            } catch (IOException e) {
                throw new KernelException("rmdir(" + Syscall.quote(d.toString()) + ")", e.getMessage() + " (processes still in it?)");
            }
        }
        // The labsh parent goes once it holds no group of labsh's, whichever run made it: with two
        // labs at once the run that recorded it may end first, while the other's group is still in it.
        for (Path parent : dirs.stream().map(Path::getParent).distinct().toList()) {
            if (!parent.getFileName().toString().equals("labsh")) continue;
            try (var s = Files.list(parent)) {
                if (s.noneMatch(Files::isDirectory)) Files.deleteIfExists(parent); // one try: busy means in use again
            } catch (IOException ignored) {
                // gone already, or another run's group arrived in between: that run removes it
            }
        }
        for (Ledger.Entry e : entries) {
            if (!Files.exists(Path.of(e.fields().get("path")))) e.removed();
        }
    }

    /** v1: one directory per controller (memory, cpu, cpuacct, pids, devices), the same name in each. */
    static final class V1 implements Cgroup {
        private static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids", "devices");
        private final Path root;
        private final Map<String, Path> dirs = new LinkedHashMap<>();
        private final List<Ledger.Entry> entries = new ArrayList<>();

        V1(Path root, String name) {
            this.root = root;
            for (String c : CONTROLLERS) {
                Path parent = root.resolve(c).resolve("labsh");
                if (!Files.isDirectory(root.resolve(c))) continue;
                Path real = root.resolve(c).toAbsolutePath();
                // cpu and cpuacct may be one hierarchy (cpu,cpuacct): do not make it twice
                if (dirs.values().stream().anyMatch(d -> d.getParent().getParent().equals(real))) continue;
                Path dir = parent.resolve(name);
                entries.addAll(mkdirs(parent, dir));
                dirs.put(c, dir);
            }
        }

        private Path dir(String controller) {
            Path d = dirs.get(controller);
            if (d == null) throw new IllegalStateException("the " + controller + " controller is not mounted (cgroup v1)");
            return d;
        }

        public String name() { return "/" + root.resolve("memory").relativize(dir("memory")); }

        public void setMemoryLimit(long bytes) {
            write(dir("memory").resolve("memory.limit_in_bytes"), Long.toString(bytes));
            Path memsw = dir("memory").resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) write(memsw, Long.toString(bytes)); // no escape into swap
        }

        public void setCpuPercent(int percent) {
            write(dir("cpu").resolve("cpu.cfs_period_us"), "100000");
            write(dir("cpu").resolve("cpu.cfs_quota_us"), Long.toString(percent * 1000L));
        }

        public void setPidsMax(int max) { write(dir("pids").resolve("pids.max"), Integer.toString(max)); }

        /**
         * A new group inherits its parent's list (all devices, from the root); "a" in devices.deny
         * empties it (allowed only while the group has no children), then each allowed rule goes
         * in (cgroup-v1/devices.rst). Written before any process is moved in.
         */
        public boolean restrictDevices() {
            if (!dirs.containsKey("devices")) return false;
            Path d = dirs.get("devices");
            write(d.resolve("devices.deny"), "a");
            for (DeviceFilter.Rule r : DeviceFilter.ALLOWED) write(d.resolve("devices.allow"), r.line());
            return true;
        }

        public void add(int pid) {
            for (Path d : dirs.values()) write(d.resolve("cgroup.procs"), Integer.toString(pid));
        }

        public List<Integer> pids() { return pidsOf(dir("memory").resolve("cgroup.procs")); }

        public long memoryUsage() { return Long.parseLong(read(dir("memory").resolve("memory.usage_in_bytes"))); }

        public long oomKills() { return field(read(dir("memory").resolve("memory.oom_control")), "oom_kill"); }

        public long cpuUsageNanos() {
            Path acct = dirs.containsKey("cpuacct") ? dirs.get("cpuacct") : dir("cpu");
            return Long.parseLong(read(acct.resolve("cpuacct.usage")));
        }

        public Map<String, String> limits() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("memory", read(dir("memory").resolve("memory.limit_in_bytes")));
            m.put("cpu", read(dir("cpu").resolve("cpu.cfs_quota_us")) + " " + read(dir("cpu").resolve("cpu.cfs_period_us")));
            m.put("pids", read(dir("pids").resolve("pids.max")));
            return m;
        }

        public void remove() { rmdirAll(new ArrayList<>(dirs.values()), entries); }
    }

    /** v2: one directory; the parent must enable the controllers for its children (cgroup.subtree_control). */
    static final class V2 implements Cgroup {
        private final Path root, dir;
        private final List<Ledger.Entry> entries = new ArrayList<>();

        V2(Path root, String name) {
            this.root = root;
            Path parent = root.resolve("labsh");
            entries.addAll(mkdirs(parent, parent));
            write(root.resolve("cgroup.subtree_control"), "+memory +cpu +pids");
            write(parent.resolve("cgroup.subtree_control"), "+memory +cpu +pids");
            dir = parent.resolve(name);
            entries.addAll(mkdirs(parent, dir));
        }

        public String name() { return "/" + root.relativize(dir); }

        public void setMemoryLimit(long bytes) {
            write(dir.resolve("memory.max"), Long.toString(bytes));
            if (Files.exists(dir.resolve("memory.swap.max"))) write(dir.resolve("memory.swap.max"), "0");
        }

        public void setCpuPercent(int percent) { write(dir.resolve("cpu.max"), (percent * 1000L) + " 100000"); }

        public void setPidsMax(int max) { write(dir.resolve("pids.max"), Integer.toString(max)); }

        /** v2 has no devices files: a device program attached to the group ({@link DeviceFilter#attach}); false if the kernel refuses it. */
        public boolean restrictDevices() {
            try {
                DeviceFilter.attach(dir);
                return true;
            } catch (KernelException e) {
                return false;
            }
        }

        public void add(int pid) { write(dir.resolve("cgroup.procs"), Integer.toString(pid)); }

        public List<Integer> pids() { return pidsOf(dir.resolve("cgroup.procs")); }

        public long memoryUsage() { return Long.parseLong(read(dir.resolve("memory.current"))); }

        public long oomKills() { return field(read(dir.resolve("memory.events")), "oom_kill"); }

        public long cpuUsageNanos() { return field(read(dir.resolve("cpu.stat")), "usage_usec") * 1000; }

        public Map<String, String> limits() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("memory", read(dir.resolve("memory.max")));
            m.put("cpu", read(dir.resolve("cpu.max")));
            m.put("pids", read(dir.resolve("pids.max")));
            return m;
        }

        public void remove() { rmdirAll(List.of(dir), entries); }
    }
}
