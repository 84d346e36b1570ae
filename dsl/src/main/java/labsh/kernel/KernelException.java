package labsh.kernel;

/**
 * A failed kernel call: which call, with which arguments, and errno's name and text, read like
 * bubblewrap's messages ("shmget(0x6501a0c2, 4096, 0) failed: ENOENT (No such file or directory)").
 */
public class KernelException extends RuntimeException {
    private final String call;
    private final int errno;

    public KernelException(String call, int errno) {
        super(call + " failed: " + Errno.name(errno) + " (" + Errno.text(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /** For failures found by labsh itself (a short read, a malformed reply), not by errno. */
    public KernelException(String call, String why) {
        super(call + " failed: " + why);
        this.call = call;
        this.errno = 0;
    }

    /** The call as written in the trace, e.g. {@code setns(7, CLONE_NEWIPC)}. */
    public String call() { return call; }

    /** errno, or 0 when the failure was not reported by the kernel. */
    public int errno() { return errno; }

    public boolean is(int errnoValue) { return errno == errnoValue; }
}
