package labsh.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The libc functions labsh calls, bound with JNA direct mapping. Only what jna-platform's
 * {@code com.sun.jna.platform.linux.LibC} does not already bind is here. Facility classes wrap
 * these through {@link Syscall}; nothing outside {@code labsh.kernel} calls them directly.
 */
public final class Libc {
    static {
        // JNA's first library lookup may fork `ldconfig -p`; a child of a thread that has joined
        // another mount namespace would fail, so point JNA at the usual directories instead.
        if (System.getProperty("jna.platform.library.path") == null) {
            System.setProperty("jna.platform.library.path",
                    "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib");
        }
        Native.register(Libc.class, NativeLibrary.getInstance("libc.so.6"));
    }

    private Libc() {}

    /** Loads the library now: call before joining any namespace (see shared/DESIGN.md). */
    public static void load() {}

    // namespaces: unshare(2), setns(2)
    public static native int unshare(int flags) throws LastErrorException;
    public static native int setns(int fd, int nstype) throws LastErrorException;

    // mounts: mount(2), umount2(2)
    public static native int mount(String source, String target, String fstype, long flags, String data) throws LastErrorException;
    public static native int umount2(String target, int flags) throws LastErrorException;

    // SysV message queues: msgget(2), msgsnd(2), msgrcv(2), msgctl(2)
    public static native int msgget(int key, int msgflg) throws LastErrorException;
    public static native int msgsnd(int msqid, Pointer msgp, long msgsz, int msgflg) throws LastErrorException;
    public static native long msgrcv(int msqid, Pointer msgp, long msgsz, long msgtyp, int msgflg) throws LastErrorException;
    public static native int msgctl(int msqid, int cmd, Pointer buf) throws LastErrorException;

    // SysV shared memory: ftok(3), shmget(2), shmat(2), shmdt(2), shmctl(2)
    public static native int ftok(String pathname, int projId) throws LastErrorException;
    public static native int shmget(int key, long size, int shmflg) throws LastErrorException;
    public static native Pointer shmat(int shmid, Pointer shmaddr, int shmflg) throws LastErrorException;
    public static native int shmdt(Pointer shmaddr) throws LastErrorException;
    public static native int shmctl(int shmid, int cmd, Pointer buf) throws LastErrorException;

    // inotify(7)
    public static native int inotify_init1(int flags) throws LastErrorException;
    public static native int inotify_add_watch(int fd, String pathname, int mask) throws LastErrorException;
    public static native int inotify_rm_watch(int fd, int wd) throws LastErrorException;

    // files and processes
    public static native int open(String pathname, int flags, int mode) throws LastErrorException;
    public static native int close(int fd) throws LastErrorException;
    public static native long read(int fd, Pointer buf, long count) throws LastErrorException;
    public static native long write(int fd, Pointer buf, long count) throws LastErrorException;
    public static native int pipe2(int[] fds, int flags) throws LastErrorException;
    /** poll(2) on an array of struct pollfd { int fd; short events; short revents; } (8 bytes each). */
    public static native int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;
    public static native int kill(int pid, int sig) throws LastErrorException;
    public static native int waitpid(int pid, int[] status, int options) throws LastErrorException;
    public static native int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;
    public static native int getpid();
    /** mkfifo(3): a named pipe, FIFO, in the file system (fifo(7)). */
    public static native int mkfifo(String pathname, int mode) throws LastErrorException;
    /** unlinkat(2), mkdirat(2): relative to a directory descriptor, never through a symlink of the last name. */
    public static native int unlinkat(int dirfd, String pathname, int flags) throws LastErrorException;
    public static native int mkdirat(int dirfd, String pathname, int mode) throws LastErrorException;
    public static native int geteuid();
    public static native int getegid();
    public static native String strerror(int errnum);

    /** syscall(2) is variadic, which direct mapping cannot call; an interface mapping can. */
    interface Raw extends Library {
        Raw INSTANCE = Native.load("c", Raw.class);
        long syscall(long number, Object... args) throws LastErrorException;
    }

    public static long syscall(long number, Object... args) throws LastErrorException {
        return Raw.INSTANCE.syscall(number, args);
    }

    /** System call numbers labsh needs that libc has no wrapper for (x86_64, aarch64). */
    public static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    public static final long SYS_PIVOT_ROOT = AARCH64 ? 41 : 155;
    public static final long SYS_GETTID = AARCH64 ? 178 : 186;
    public static final long SYS_PIDFD_OPEN = 434;
    public static final long SYS_PIDFD_SEND_SIGNAL = 424;
    /** The new mount API (Linux 5.2), the same numbers on every architecture. */
    public static final long SYS_OPEN_TREE = 428, SYS_MOVE_MOUNT = 429;
    /** openat2(2) (Linux 5.6), the same number on every architecture. */
    public static final long SYS_OPENAT2 = 437;

    /** The calling thread's id: names {@code /proc/thread-self}, which per-thread setns changes. */
    public static int gettid() {
        return (int) syscall(SYS_GETTID);
    }
}
