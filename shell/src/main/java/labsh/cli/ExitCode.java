package labsh.cli;

/** labsh's exit statuses (listed in {@code labsh --help}: keep Main's exitCodeList in step). */
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

    private ExitCode() {}
}
