package labsh.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's own list of SysV objects, /proc/sysvipc/shm and /proc/sysvipc/msg, as the calling
 * thread's IPC namespace sees them (the file is per namespace of the reader, so a thread joined
 * to a container's IPC namespace reads the container's list). What {@code ipcs} prints.
 */
public final class SysvIpcTable {
    /** One row: the key (as the C int it is), the id, and the row's other columns by name. */
    public record Row(int key, int id, java.util.Map<String, String> columns) {
        public String keyHex() { return String.format("0x%08x", key); }
    }

    private SysvIpcTable() {}

    public static List<Row> sharedMemory() { return read("shm"); }

    public static List<Row> messageQueues() { return read("msg"); }

    private static List<Row> read(String kind) {
        // the kernel fills the file from the IPC namespace of the thread that opens it
        Path file = Path.of("/proc/sysvipc/" + kind);
        try {
            List<String> lines = Files.readAllLines(file);
            if (lines.isEmpty()) return List.of();
            String[] header = lines.get(0).trim().split("\\s+");
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 2) continue;
                java.util.Map<String, String> cols = new java.util.LinkedHashMap<>();
                for (int i = 0; i < Math.min(header.length, f.length); i++) cols.put(header[i], f[i]);
                rows.add(new Row(Integer.parseInt(f[0]), Integer.parseInt(f[1]), cols));
            }
            return rows;
        } catch (IOException e) {
            throw new KernelException("read(" + file + ")", e.getMessage());
        }
    }
}
