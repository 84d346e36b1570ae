package labsh.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

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

    /**
     * The types in which {@code pid} is in another namespace than this process (which runs on the
     * host): what a node has of its own, and what entering it must join.
     */
    public static Set<NsType> notSharedWithUs(int pid) {
        Map<NsType, Long> ours = of((int) ProcessHandle.current().pid());
        Set<NsType> own = EnumSet.noneOf(NsType.class);
        of(pid).forEach((t, inode) -> {
            if (!inode.equals(ours.get(t))) own.add(t);
        });
        return own;
    }

    /** The inode of one namespace of the calling thread (per-thread after setns: /proc/thread-self). */
    public static long ofThisThread(NsType t) {
        try {
            return parseLink(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/" + t.procName())).toString());
        } catch (IOException e) {
            throw new KernelException("readlink(/proc/thread-self/ns/" + t.procName() + ")", e.getMessage());
        }
    }

    static final int O_RDONLY = 0, O_CLOEXEC = 02000000;
    /** unshare(2) flags that are not namespaces: CLONE_FS un-shares cwd/root/umask with the other threads. */
    public static final int CLONE_FS = 0x00000200, CLONE_FILES = 0x00000400, CLONE_SYSVSEM = 0x00040000;

    /**
     * Moves the calling thread into {@code pid}'s namespace of {@code type}: open /proc/PID/ns/TYPE,
     * setns(fd, CLONE_NEW*), close(fd). Only this thread moves (setns(2) acts on the caller).
     * For MNT the thread must first {@code unshare(CLONE_FS)}, or setns fails with EINVAL because
     * the JVM's threads share one fs_struct (root and cwd); after it the thread's root and cwd are
     * the target's root. Open every /proc/PID/ns file before joining a mount namespace whose /proc
     * may show another pid namespace.
     */
    public static void join(int pid, NsType type) {
        String path = "/proc/" + pid + "/ns/" + type.procName();
        int fd;
        try {
            fd = Syscall.call("open", Syscall.quote(path) + ", O_RDONLY|O_CLOEXEC", () -> Libc.open(path, O_RDONLY | O_CLOEXEC, 0));
        } catch (KernelException e) {
            if (e.is(Errno.ENOENT) && !Files.isDirectory(Path.of("/proc/" + pid))) throw new NoSuchProcessException(pid);
            throw e;
        }
        try {
            Syscall.call("setns", fd + ", " + type.flagName(), () -> Libc.setns(fd, type.flag()));
        } finally {
            Syscall.call("close", String.valueOf(fd), () -> Libc.close(fd));
        }
    }

    /** unshare(2) for the calling thread (for a multithreaded JVM only CLONE_FS, CLONE_FILES, and ipc/uts/net/mnt work). */
    public static void unshare(int flags) {
        Syscall.call("unshare", unshareFlagNames(flags), () -> Libc.unshare(flags));
    }

    static String unshareFlagNames(int flags) {
        int ns = 0;
        for (NsType t : NsType.values()) ns |= flags & t.flag();
        String s = Syscall.flags(flags & ~ns, new long[] {CLONE_FS, CLONE_FILES, CLONE_SYSVSEM},
                new String[] {"CLONE_FS", "CLONE_FILES", "CLONE_SYSVSEM"});
        if (ns == 0) return s;
        return (flags & ~ns) == 0 ? NsType.flagNames(ns) : NsType.flagNames(ns) + "|" + s;
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
