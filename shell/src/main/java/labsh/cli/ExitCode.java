package labsh.cli;

/** labsh's exit statuses, listed in {@code labsh --help}. */
public final class ExitCode {
    public static final int OK = 0;
    /** The lab ran and a step failed (or it threw). */
    public static final int LAB_FAILED = 1;
    /** The command line was wrong (unknown option, missing argument, not a number). */
    public static final int USAGE = 2;
    /** A privilege is missing: not root, or a capability such as CAP_SYS_ADMIN. */
    public static final int NO_PRIVILEGE = 3;
    /** An argument names nothing usable: no such process, no such script, a script that does not compile. */
    public static final int BAD_INPUT = 4;

    /** For picocli's generated help. */
    static final String[] HELP = {
            "0:the lab passed / the command did its job",
            "1:the lab failed",
            "2:usage error",
            "3:a privilege is missing (run as root)",
            "4:bad input (no such process or script, a script that does not compile)",
    };

    private ExitCode() {}
}
