package labsh.kernel;

/**
 * One control group, whatever the hierarchy: cgroup v1 (a directory per controller) and v2 (one
 * directory, controllers enabled from the parent) look the same from here. See {@link Cgroups}.
 */
public interface Cgroup {
    /** The directory (v2) or the memory controller's directory (v1): what /proc/PID/cgroup names. */
    String name();

    /** Hard memory limit in bytes, swap included where the kernel accounts it. */
    void setMemoryLimit(long bytes);

    /** The share of one CPU, in percent (200 = two CPUs), as a CFS quota per 100 ms period. */
    void setCpuPercent(int percent);

    void setPidsMax(int max);

    /**
     * Restricts the devices the group's processes may open or mknod to {@link DeviceFilter#ALLOWED}.
     * True when the kernel now enforces it (cgroup v1's devices controller); false where it could
     * not be set up (v2 needs a BPF device program, see {@link DeviceFilter}), so the caller can say so.
     */
    boolean restrictDevices();

    /** Moves a process in (cgroup.procs). */
    void add(int pid);

    /** The group's pids, from the kernel's cgroup.procs. */
    java.util.List<Integer> pids();

    long memoryUsage();

    /** How many times the OOM killer killed in this group (v1 memory.oom_control, v2 memory.events). */
    long oomKills();

    /** CPU time used, in nanoseconds (v1 cpuacct.usage, v2 cpu.stat usage_usec). */
    long cpuUsageNanos();

    /** The limit files as the kernel reads them back, for checks: memory, cpu quota/period, pids. */
    java.util.Map<String, String> limits();

    /** rmdir, once no process is left in it. */
    void remove();
}
