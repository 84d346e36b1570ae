package labsh.kernel;

/**
 * Signals and waiting for children: kill(2), waitpid(2) and the wait status macros of wait(2)
 * (WIFEXITED, WEXITSTATUS, WIFSIGNALED, WTERMSIG, WCOREDUMP, WIFSTOPPED, WSTOPSIG, WIFCONTINUED).
 *
 * <p>Trap: the JVM reaps the children it starts with ProcessBuilder on its own "process reaper"
 * thread, so waitpid() here must only be used for children the JVM does not know: those started
 * by labsh's native stage, or orphans adopted while this process is a child subreaper
 * ({@link #setChildSubreaper}). For ProcessBuilder children use {@code Process.waitFor()}.
 */
public final class Processes {
    public static final int WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8;
    static final int PR_SET_CHILD_SUBREAPER = 36;

    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGABRT = 6, SIGKILL = 9, SIGUSR1 = 10,
            SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18,
            SIGSTOP = 19, SIGTSTP = 20;

    /** x86_64 and aarch64 share these numbers (asm-generic/signal.h matches x86 for 1..31). */
    private static final String[] SIGNALS = {"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
            "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
            "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
            "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private static final long[] WAIT_BITS = {WNOHANG, WUNTRACED, WCONTINUED};
    private static final String[] WAIT_NAMES = {"WNOHANG", "WUNTRACED", "WCONTINUED"};

    private Processes() {}

    /** SIGTERM for 15; "SIGRTMIN+n" style numbers above 31 are shown as numbers. */
    public static String signalName(int sig) {
        return sig >= 0 && sig < SIGNALS.length ? SIGNALS[sig] : Integer.toString(sig);
    }

    /** kill(pid, sig). Signal 0 only checks that the process exists and may be signalled. */
    public static void kill(int pid, int sig) {
        Syscall.call("kill", pid + ", " + signalName(sig), () -> Libc.kill(pid, sig));
    }

    /** True when {@code pid} exists (kill(pid, 0) succeeds, or fails with EPERM: it exists but is not ours). */
    public static boolean exists(int pid) {
        try {
            kill(pid, 0);
            return true;
        } catch (KernelException e) {
            return e.is(Errno.EPERM);
        }
    }

    /**
     * waitpid(pid, &status, options): the child's decoded status, or null when WNOHANG was given
     * and the child has not changed state yet (waitpid returned 0). ECHILD means it is not (or no
     * longer) a child of this process.
     */
    public static Status waitpid(int pid, int options) {
        int[] status = new int[1];
        int r = Syscall.call("waitpid", pid + ", [status], " + Syscall.flags(options, WAIT_BITS, WAIT_NAMES),
                () -> Libc.waitpid(pid, status, options));
        if (r == 0) return null;
        return Status.decode(r, status[0]);
    }

    /** waitpid(pid, WNOHANG if {@code noHang}); a status, or null when noHang and the child still runs. */
    public static Status waitpid(int pid, boolean noHang) {
        return waitpid(pid, noHang ? WNOHANG : 0);
    }

    /**
     * prctl(PR_SET_CHILD_SUBREAPER): while on, orphaned descendants are re-parented to this process
     * instead of init, so it can waitpid() for them (and must, or they stay zombies).
     */
    public static void setChildSubreaper(boolean on) {
        Syscall.call("prctl", "PR_SET_CHILD_SUBREAPER, " + (on ? 1 : 0),
                () -> Libc.prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0));
    }

    /** How a child changed state, decoded from waitpid's status word as the W* macros of wait(2) do. */
    public record Status(int pid, int raw) {
        static Status decode(int pid, int raw) { return new Status(pid, raw); }

        /** WIFEXITED: ended by exit(); the low 7 bits (the signal) are 0. */
        public boolean exited() { return (raw & 0x7f) == 0; }

        /** WEXITSTATUS: the exit code, bits 8..15. */
        public int exitCode() { return (raw >> 8) & 0xff; }

        /** WIFSIGNALED: ended by a signal; low 7 bits hold it (0x7f marks "stopped" instead). */
        public boolean signaled() { return (raw & 0x7f) != 0 && (raw & 0x7f) != 0x7f; }

        /** WTERMSIG */
        public int termSignal() { return raw & 0x7f; }

        /** WCOREDUMP: bit 7. */
        public boolean coreDumped() { return signaled() && (raw & 0x80) != 0; }

        /** WIFSTOPPED (needs WUNTRACED): low byte 0x7f, the stop signal in bits 8..15. */
        public boolean stopped() { return (raw & 0xff) == 0x7f; }

        /** WSTOPSIG */
        public int stopSignal() { return (raw >> 8) & 0xff; }

        /** WIFCONTINUED (needs WCONTINUED): the whole word is 0xffff. */
        public boolean continued() { return raw == 0xffff; }

        /** The shell's view: the exit code, or 128 + the signal that ended it. */
        public int shellCode() { return exited() ? exitCode() : signaled() ? 128 + termSignal() : -1; }

        /** "exited 3", "killed by SIGTERM", "killed by SIGSEGV (core dumped)", "stopped by SIGSTOP", "continued". */
        @Override
        public String toString() {
            if (continued()) return "continued";
            if (exited()) return "exited " + exitCode();
            if (stopped()) return "stopped by " + signalName(stopSignal());
            return "killed by " + signalName(termSignal()) + (coreDumped() ? " (core dumped)" : "");
        }
    }
}
