package labsh.cli;

import picocli.CommandLine.Option;

/**
 * --trace and --debug, accepted by labsh and by every subcommand ({@code labsh --trace run x},
 * {@code labsh lsns --debug 1}). Mixed into each command; the values are process-wide because the
 * error handler and the trace printer, not the commands, act on them.
 */
public final class GlobalOptions {
    static volatile boolean debug;
    static volatile boolean trace;

    static void reset() {
        debug = false;
        trace = false;
    }

    @Option(names = "--debug", description = "Show the Java stack trace of an error (normally one line says what and why).")
    void setDebug(boolean on) { debug |= on; }

    @Option(names = "--trace", description = "Print every kernel call as it happens, strace-like, to stderr: "
            + "shmget(0x6501a0c2, 4096, IPC_CREAT|0600) = 32769")
    void setTrace(boolean on) { trace |= on; }
}
