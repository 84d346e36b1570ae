package labsh.runtime.container;

import java.nio.file.Path;

/**
 * Disk space as the file system accounts it: du(1)'s allocated blocks (st_blocks), not file
 * lengths, so a directory's own blocks count and a sparse file does not overcount.
 */
public final class DiskUsage {
    private DiskUsage() {}

    /** {@code du -s -B1 -x DIR}: bytes allocated under {@code dir}, not crossing into other mounts. */
    public static long bytes(Path dir) {
        Rootfs.Tools.Result r = Rootfs.Tools.run("du", "-s", "-B1", "-x", dir.toString());
        if (r.status() != 0) throw new IllegalStateException("du " + dir + ": " + r.lastLine());
        return Long.parseLong(r.output().strip().split("\\s+")[0]);
    }
}
