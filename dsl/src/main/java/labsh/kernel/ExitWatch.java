package labsh.kernel;

import com.sun.jna.Memory;
import java.util.Arrays;

/**
 * Waits until one of a set of processes exits, without being their parent and without polling
 * their state: one pidfd per process (pidfd_open(2), Linux 5.3), which poll(2) reports readable
 * when the process has terminated. A wake-up pipe lets {@link #close()} end a blocked
 * {@link #await()} from another thread (as in {@link Inotify}).
 */
public final class ExitWatch implements AutoCloseable {
    private static final short POLLIN = 0x1;

    private final int[] pids, pidfds;
    private final WakePipe wake;
    private final Object waiting = new Object();
    private volatile boolean closed;

    private ExitWatch(int[] pids, int[] pidfds, WakePipe wake) {
        this.pids = pids;
        this.pidfds = pidfds;
        this.wake = wake;
    }

    /** pidfd_open(pid, 0) for each pid; a pid that names no process fails with ESRCH. */
    public static ExitWatch of(int... pids) {
        int[] fds = new int[pids.length];
        Arrays.fill(fds, -1);
        try {
            for (int i = 0; i < pids.length; i++) {
                int pid = pids[i];
                fds[i] = (int) Syscall.callLong("pidfd_open", pid + ", 0", () -> Libc.syscall(Libc.SYS_PIDFD_OPEN, pid, 0));
            }
            return new ExitWatch(pids.clone(), fds, WakePipe.open());
        } catch (KernelException e) {
            for (int fd : fds) if (fd >= 0) Libc.close(fd);
            throw e;
        }
    }

    /** Blocks until one of the processes has exited and returns its pid, or returns 0 once closed. */
    public int await() {
        synchronized (waiting) {
            if (closed) return 0;
            int n = pidfds.length + 1;
            Memory fds = new Memory(8L * n);
            fds.clear();
            for (int i = 0; i < pidfds.length; i++) {
                fds.setInt(8L * i, pidfds[i]);
                fds.setShort(8L * i + 4, POLLIN);
            }
            fds.setInt(8L * pidfds.length, wake.fd());
            fds.setShort(8L * pidfds.length + 4, POLLIN);
            for (;;) {
                try {
                    Syscall.call("poll", "[pidfds of " + Arrays.toString(pids) + ", wake-up pipe], " + n + ", -1",
                            () -> Libc.poll(fds, n, -1));
                    break;
                } catch (KernelException e) {
                    if (!e.is(Errno.EINTR)) throw e;
                }
            }
            if (closed) return 0;
            for (int i = 0; i < pidfds.length; i++) {
                if ((fds.getShort(8L * i + 6) & POLLIN) != 0) return pids[i];
            }
            return 0;
        }
    }

    /** Ends a blocked {@link #await()} (it returns 0), then closes the pidfds and the pipe. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        wake.wake();
        synchronized (waiting) {
            for (int fd : pidfds) Libc.close(fd);
            wake.close();
        }
    }
}
