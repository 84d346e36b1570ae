package labsh.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small readers of /proc that the runtime needs to tell one process from another. */
public final class ProcFs {
    private ProcFs() {}

    /**
     * Field 22 of /proc/PID/stat, the start time in clock ticks since boot: together with the pid it
     * names a process for good, so a recycled pid is never mistaken for the one labsh started.
     * Returns -1 when there is no such process.
     */
    public static long startTime(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name (field 2) may hold spaces and parentheses: count from the last ')'
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(rest[22 - 3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** True when {@code pid} is alive and is the same process that had {@code startTime}. */
    public static boolean isSameProcess(int pid, long startTime) {
        return pid > 0 && startTime >= 0 && startTime(pid) == startTime;
    }
}
