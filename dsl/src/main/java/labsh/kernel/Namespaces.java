package labsh.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Namespaces as the kernel shows them: the inode behind each /proc/PID/ns/TYPE link (what lsns(8)
 * prints in its NS column), and unshare(2)/setns(2) for the calling thread.
 */
public final class Namespaces {
    private Namespaces() {}

    /** The namespace inodes of {@code pid}, read from the links /proc/PID/ns/* ("ipc:[4026531839]"). */
    public static Map<NsType, Long> of(int pid) {
        Path dir = Path.of("/proc/" + pid + "/ns");
        if (pid <= 0 || !Files.isDirectory(Path.of("/proc/" + pid))) {
            throw new NoSuchProcessException(pid);
        }
        Map<NsType, Long> m = new EnumMap<>(NsType.class);
        for (NsType t : NsType.values()) {
            try {
                m.put(t, parseLink(Files.readSymbolicLink(dir.resolve(t.procName())).toString()));
            } catch (NoSuchFileException e) {
                if (!Files.isDirectory(Path.of("/proc/" + pid))) throw new NoSuchProcessException(pid);
                // this kernel has no such namespace type (time before 5.6): leave it out
            } catch (IOException e) {
                throw new KernelException("readlink(/proc/" + pid + "/ns/" + t.procName() + ")", e.getMessage());
            }
        }
        return m;
    }

    /** The inode of one namespace of the calling thread (per-thread after setns: /proc/thread-self). */
    public static long ofThisThread(NsType t) {
        try {
            return parseLink(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/" + t.procName())).toString());
        } catch (IOException e) {
            throw new KernelException("readlink(/proc/thread-self/ns/" + t.procName() + ")", e.getMessage());
        }
    }

    static long parseLink(String link) {
        int open = link.indexOf('['), close = link.indexOf(']');
        return Long.parseLong(link.substring(open + 1, close));
    }

    /** A pid that does not name a running process. */
    public static final class NoSuchProcessException extends RuntimeException {
        private final int pid;

        public NoSuchProcessException(int pid) {
            super("no process with pid " + pid + " (nothing at /proc/" + pid + ")");
            this.pid = pid;
        }

        public int pid() { return pid; }
    }
}
