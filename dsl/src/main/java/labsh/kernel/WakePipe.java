package labsh.kernel;

import com.sun.jna.Memory;

/**
 * A non-blocking pipe whose read end a thread blocked in poll(2) watches beside its real fds, so
 * that another thread can end the wait: close(2) of an fd does not wake a thread already blocked
 * on it (the call holds its own reference to the file). Used by {@link Inotify} and {@link ExitWatch}.
 */
final class WakePipe {
    private static final int O_CLOEXEC = 02000000, O_NONBLOCK = 04000;

    private final int read, write;

    private WakePipe(int read, int write) {
        this.read = read;
        this.write = write;
    }

    /** pipe2(O_CLOEXEC|O_NONBLOCK). */
    static WakePipe open() {
        int[] pipe = new int[2];
        Syscall.call("pipe2", "[...], O_CLOEXEC|O_NONBLOCK", () -> Libc.pipe2(pipe, O_CLOEXEC | O_NONBLOCK));
        return new WakePipe(pipe[0], pipe[1]);
    }

    /** The fd to poll for POLLIN. */
    int fd() { return read; }

    /** Makes the read end readable; a full pipe is already readable, so a failed write changes nothing. */
    void wake() {
        Memory one = new Memory(1);
        one.setByte(0, (byte) 1);
        try {
            Libc.write(write, one, 1);
        } catch (RuntimeException ignored) {
            // EAGAIN on a full pipe: the waiter wakes anyway
        }
    }

    void close() {
        Libc.close(read);
        Libc.close(write);
    }
}
