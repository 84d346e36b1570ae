package labsh.runtime.container;

import labsh.kernel.Cgroup;
import labsh.kernel.Cgroups;

/**
 * Seed 004 problem 5: "a configured amount of memory it will use, the cpu_percent it can use, and an
 * additional mount point". Read from a lab's options and checked all at once, before anything is
 * created, so a bad value leaves nothing behind. Null means "not set by the lab" / "no extra mount".
 *
 * <p>Every container has a cgroup, and limits by default (issue 12, finding 6: 5000 processes and
 * a 2000 MB allocation succeeded in a default container): {@link #DEFAULT_PIDS} processes and
 * {@link #DEFAULT_MEMORY} bytes, as runc and Docker leave a container unlimited but a host
 * running students' code as root must not. A lab's own memory value replaces the default; cpu has
 * no default (a share of a CPU starves nothing).
 *
 * @param memoryBytes hard memory limit (memory.max, v1 memory.limit_in_bytes)
 * @param cpuPercent  share of one CPU in percent (cpu.max, v1 cpu.cfs_quota_us per 100 ms)
 * @param mountPoint  an absolute path inside the container, e.g. /mypoint
 */
public record ContainerLimits(Long memoryBytes, Integer cpuPercent, String mountPoint) {
    public static final ContainerLimits NONE = new ContainerLimits(null, null, null);
    /** pids.max of every container: a fork bomb stops there (EAGAIN from fork, pids.events "max"). */
    public static final int DEFAULT_PIDS = 1024;
    /** The memory limit of a container whose lab sets none: 512 MiB. */
    public static final long DEFAULT_MEMORY = 512L << 20;

    /**
     * From what a script wrote: memory as bytes or with k/M/G ({@code 67108864}, {@code '64m'}),
     * cpu as a percent ({@code 50}, {@code '50%'}), mount as a path ({@code '/mypoint'}).
     */
    public static ContainerLimits parse(Object memory, Object cpu, Object mount) {
        Long bytes = memory == null ? null : Cgroups.parseMemory(memory.toString());
        Integer percent = cpu == null ? null : cpuPercent(cpu.toString());
        return new ContainerLimits(bytes, percent, mount == null ? null : mountPoint(mount.toString()));
    }

    /** 1 to 100: the seed's cpu_percent is a percentage of one CPU, so 250 is refused on any machine. */
    static int cpuPercent(String text) {
        String t = text.strip().replaceFirst("%$", "");
        if (!t.matches("\\d{1,3}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > 100) {
            throw new IllegalArgumentException("cpu percent '" + text + "': give 1 to 100 (a percent of one CPU)");
        }
        return Integer.parseInt(t);
    }

    /** "/mypoint" or "mypoint" -> "/mypoint"; one plain name below / (not /, not .., no spaces). */
    public static String mountPoint(String text) {
        String p = text.startsWith("/") ? text : "/" + text;
        if (!p.matches("(/[A-Za-z0-9._-]+)+") || p.matches(".*/\\.\\.?(/.*)?")) {
            throw new IllegalArgumentException("mount point '" + text + "': give a path like /mypoint (letters, digits, '.', '_', '-')");
        }
        if (p.matches("/(proc|dev|sys)(/.*)?")) {
            throw new IllegalArgumentException("mount point '" + text + "': " + p.split("/")[1] + " is the container's own; choose another path");
        }
        return p;
    }

    /** The memory limit that applies: the lab's, or {@link #DEFAULT_MEMORY}. */
    public long effectiveMemory() { return memoryBytes != null ? memoryBytes : DEFAULT_MEMORY; }

    /** Writes the limits into {@code group}: the lab's, and the defaults for what it left out. */
    public void applyTo(Cgroup group) {
        group.setMemoryLimit(effectiveMemory());
        group.setPidsMax(DEFAULT_PIDS);
        if (cpuPercent != null) group.setCpuPercent(cpuPercent);
    }

    /** What applies, the defaults marked: "memory 536870912 bytes (default), 1024 processes (default)". */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("memory ").append(effectiveMemory()).append(" bytes");
        if (memoryBytes == null) sb.append(" (default)");
        sb.append(", ").append(DEFAULT_PIDS).append(" processes (default)");
        if (cpuPercent != null) sb.append(", cpu ").append(cpuPercent).append('%');
        if (mountPoint != null) sb.append(", mount ").append(mountPoint);
        return sb.toString();
    }
}
