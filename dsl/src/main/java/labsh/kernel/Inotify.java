package labsh.kernel;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One inotify instance (inotify(7)): watches on files and directories, and the events the kernel
 * queues for them, parsed from {@code struct inotify_event}.
 *
 * <p>Paths are resolved in the mount namespace of the thread that calls {@link #addWatch}: on a
 * thread joined to a container's mount namespace (runtime.JoinedThread) a watch sees the
 * container's files. Events can then be read on any thread.
 *
 * <p>Closing: close(2) of an fd does not wake a thread already blocked in read(2) on it (the read
 * holds its own reference to the file). So {@link #close()} wakes a reader first, then waits for
 * it to leave and closes the fds: a reader blocked in {@link #read()} is woken by an event
 * (IN_IGNORED of a watch added and removed for that), one in {@link #poll(int)} (which waits at
 * most a given time) by a wake-up pipe it polls as well. Either returns an empty list once
 * another thread closed the instance.
 */
public final class Inotify implements AutoCloseable {
    public static final int IN_ACCESS = 0x1, IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_CLOSE_WRITE = 0x8,
            IN_CLOSE_NOWRITE = 0x10, IN_OPEN = 0x20, IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80,
            IN_CREATE = 0x100, IN_DELETE = 0x200, IN_DELETE_SELF = 0x400, IN_MOVE_SELF = 0x800,
            IN_UNMOUNT = 0x2000, IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000,
            IN_ONLYDIR = 0x01000000, IN_DONT_FOLLOW = 0x02000000, IN_EXCL_UNLINK = 0x04000000,
            IN_MASK_CREATE = 0x10000000, IN_MASK_ADD = 0x20000000, IN_ISDIR = 0x40000000,
            IN_ONESHOT = 0x80000000;
    public static final int IN_CLOSE = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE;
    public static final int IN_MOVE = IN_MOVED_FROM | IN_MOVED_TO;
    public static final int IN_ALL_EVENTS = 0xfff;
    static final int IN_CLOEXEC = 02000000;
    private static final short POLLIN = 0x1;

    private static final long[] MASK_BITS = {IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE,
            IN_OPEN, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT,
            IN_Q_OVERFLOW, IN_IGNORED, IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_MASK_CREATE, IN_MASK_ADD,
            IN_ISDIR, IN_ONESHOT & 0xffffffffL};
    private static final String[] MASK_NAMES = {"IN_ACCESS", "IN_MODIFY", "IN_ATTRIB", "IN_CLOSE_WRITE",
            "IN_CLOSE_NOWRITE", "IN_OPEN", "IN_MOVED_FROM", "IN_MOVED_TO", "IN_CREATE", "IN_DELETE",
            "IN_DELETE_SELF", "IN_MOVE_SELF", "IN_UNMOUNT", "IN_Q_OVERFLOW", "IN_IGNORED", "IN_ONLYDIR",
            "IN_DONT_FOLLOW", "IN_EXCL_UNLINK", "IN_MASK_CREATE", "IN_MASK_ADD", "IN_ISDIR", "IN_ONESHOT"};

    /** sizeof(struct inotify_event) without its name: int wd; uint32 mask, cookie, len. */
    private static final int HEADER = 16;
    /** Room for many events; one event is at most HEADER + NAME_MAX + 1 bytes (inotify(7)). */
    private static final int BUFFER = 64 * 1024;

    /** One event: the watch it came from, what happened, the rename cookie, and the name in a directory ("" for the watched object itself). */
    public record Event(int wd, int mask, int cookie, String name) {
        public boolean is(int bits) { return (mask & bits) != 0; }

        /** The mask as IN_CREATE|IN_ISDIR. */
        public String maskNames() { return Inotify.maskNames(mask); }

        @Override
        public String toString() { return "{wd=" + wd + ", mask=" + maskNames() + ", cookie=" + cookie + ", name=\"" + name + "\"}"; }
    }

    private final int fd;
    private final WakePipe wake;
    private final Object reading = new Object();
    private final Map<Integer, Path> watches = new ConcurrentHashMap<>();
    /** The pollfd pair and the event buffer, made once and used under {@code reading}: a bridge reads events per message, and a fresh 64 KiB native buffer each time cost more than the read. */
    private final Memory fds = new Memory(16), buf = new Memory(BUFFER);
    private volatile boolean closed;

    private Inotify(int fd, WakePipe wake) {
        this.fd = fd;
        this.wake = wake;
    }

    /** inotify_init1(IN_CLOEXEC), plus the wake-up pipe that lets close() end a blocked read. */
    public static Inotify open() {
        int fd = Syscall.call("inotify_init1", "IN_CLOEXEC", () -> Libc.inotify_init1(IN_CLOEXEC));
        try {
            return new Inotify(fd, WakePipe.open());
        } catch (KernelException e) {
            Libc.close(fd);
            throw e;
        }
    }

    public int fd() { return fd; }

    /** inotify_add_watch(fd, path, mask): the watch descriptor. Resolved in this thread's mount namespace. */
    public int addWatch(Path path, int mask) {
        String p = path.toString();
        int wd = Syscall.call("inotify_add_watch", fd + ", " + Syscall.quote(p) + ", " + maskNames(mask),
                () -> Libc.inotify_add_watch(fd, p, mask));
        watches.put(wd, path);
        return wd;
    }

    public int addWatch(String path, int mask) { return addWatch(Path.of(path), mask); }

    /** The path a watch descriptor was added for (null if unknown). */
    public Path watched(int wd) { return watches.get(wd); }

    /** inotify_rm_watch(fd, wd); the kernel then queues IN_IGNORED for it. */
    public void removeWatch(int wd) {
        Syscall.call("inotify_rm_watch", fd + ", " + wd, () -> Libc.inotify_rm_watch(fd, wd));
    }

    /**
     * Blocks until events are queued and returns them, in order; returns an empty list once
     * closed. One blocking read(2), without the poll(2) before it that {@link #poll} needs for a
     * timeout: a relay reads events per message, and system calls are most of its cost.
     * {@link #close()} wakes it with an event (see there).
     */
    public List<Event> read() {
        synchronized (reading) {
            if (closed) return List.of();
            long len;
            for (;;) {
                try {
                    len = Syscall.callLong("read", () -> fd + ", buf, " + BUFFER, () -> Libc.read(fd, buf, BUFFER));
                    break;
                } catch (KernelException e) {
                    if (!e.is(Errno.EINTR)) throw e;
                }
            }
            if (closed) return List.of();
            return parse(buf, (int) len);
        }
    }

    /** Waits at most {@code timeoutMillis} (-1: forever) and returns the queued events, or an empty list. */
    public List<Event> poll(int timeoutMillis) {
        synchronized (reading) {
            if (closed) return List.of();
            fds.clear();
            fds.setInt(0, fd);
            fds.setShort(4, POLLIN);
            fds.setInt(8, wake.fd());
            fds.setShort(12, POLLIN);
            int n;
            do {
                try {
                    n = Syscall.call("poll", () -> "[{fd=" + fd + ", POLLIN}, {fd=" + wake.fd() + ", POLLIN}], 2, " + timeoutMillis,
                            () -> Libc.poll(fds, 2, timeoutMillis));
                } catch (KernelException e) {
                    if (e.is(Errno.EINTR)) { n = -1; continue; }
                    throw e;
                }
            } while (n < 0);
            if (closed || n == 0 || (fds.getShort(6) & POLLIN) == 0) return List.of();
            long len = Syscall.callLong("read", () -> fd + ", buf, " + BUFFER, () -> Libc.read(fd, buf, BUFFER));
            return parse(buf, (int) len);
        }
    }

    /** Splits a read(2) of the inotify fd into events; each name is NUL-padded to its len. */
    static List<Event> parse(Memory buf, int len) {
        List<Event> events = new ArrayList<>();
        int off = 0;
        while (off + HEADER <= len) {
            int wd = buf.getInt(off), mask = buf.getInt(off + 4), cookie = buf.getInt(off + 8), nameLen = buf.getInt(off + 12);
            byte[] raw = buf.getByteArray(off + HEADER, nameLen);
            int end = 0;
            while (end < raw.length && raw[end] != 0) end++;
            events.add(new Event(wd, mask, cookie, new String(raw, 0, end, StandardCharsets.UTF_8)));
            off += HEADER + nameLen;
        }
        return events;
    }

    /** Ends a blocked read (it returns an empty list), then closes the inotify fd and the wake-up pipe. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        wake.wake(); // wakes a reader in poll()
        wakeBlockedRead();
        synchronized (reading) { // a reader leaves poll() before the fds go away (no fd-reuse race)
            Syscall.call("close", String.valueOf(fd), () -> Libc.close(fd));
            wake.close();
        }
    }

    /**
     * Wakes a reader blocked in read(2) on this instance with an event: a watch added on "/" (it
     * exists in every mount namespace) and removed again queues IN_IGNORED (inotify_rm_watch(2)),
     * whatever other watches there are. If that fails (no watch left, ENOSPC), removing the known
     * watches queues IN_IGNORED for each that is still live.
     */
    private void wakeBlockedRead() {
        try {
            int wd = Syscall.call("inotify_add_watch", fd + ", \"/\", IN_ATTRIB", () -> Libc.inotify_add_watch(fd, "/", IN_ATTRIB));
            removeWatch(wd);
            return;
        } catch (KernelException e) {
            // fall back to the known watches below
        }
        for (int wd : watches.keySet()) {
            try {
                removeWatch(wd);
            } catch (KernelException gone) {
                // already removed by the kernel (IN_IGNORED was queued then)
            }
        }
    }

    /** IN_CLOSE_WRITE|IN_DELETE: the named bits of an inotify mask. */
    public static String maskNames(int mask) {
        return Syscall.flags(mask & 0xffffffffL, MASK_BITS, MASK_NAMES);
    }
}
