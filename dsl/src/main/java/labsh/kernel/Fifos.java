package labsh.kernel;

/** Named pipes (fifo(7)): a file-system name for a pipe, which any process that can see the file can open. */
public final class Fifos {
    private Fifos() {}

    /** mkfifo(path, mode); the umask still applies, as for any new file. */
    public static void make(String path, int mode) {
        Syscall.call("mkfifo", Syscall.quote(path) + ", 0" + Integer.toOctalString(mode), () -> Libc.mkfifo(path, mode));
    }
}
