package labsh.cli;

import java.io.PrintWriter;
import labsh.dsl.LabCompileException;
import labsh.kernel.KernelException;
import labsh.kernel.Namespaces;
import labsh.kernel.Privilege;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * Every error the command line shows: one line, "labsh: what and why", and the exit status for
 * its kind. The Java stack trace only with --debug.
 */
final class Errors implements IParameterExceptionHandler, IExecutionExceptionHandler {

    /** A wrong command line: the first line of picocli's message and where to look. */
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        if (GlobalOptions.debug) ex.printStackTrace(err);
        String first = ex.getMessage() == null ? "bad command line" : ex.getMessage().lines().findFirst().orElse("");
        err.println("labsh: " + first + " (see: " + cl.getCommandSpec().qualifiedName() + " --help)");
        err.flush();
        return ExitCode.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        Throwable e = ex;
        while (e instanceof CommandLine.ExecutionException && e.getCause() != null) e = e.getCause();
        if (GlobalOptions.debug) e.printStackTrace(err);
        err.println("labsh: " + message(e));
        err.flush();
        return status(e);
    }

    static int status(Throwable e) {
        if (e instanceof Privilege.PrivilegeException) return ExitCode.NO_PRIVILEGE;
        if (e instanceof Namespaces.NoSuchProcessException || e instanceof LabCompileException
                || e instanceof IllegalArgumentException) return ExitCode.BAD_INPUT;
        if (e instanceof KernelException k && (k.is(1) || k.is(13))) return ExitCode.NO_PRIVILEGE; // EPERM, EACCES
        return ExitCode.LAB_FAILED;
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        boolean sentence = e instanceof KernelException || e instanceof Privilege.PrivilegeException
                || e instanceof Namespaces.NoSuchProcessException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof LabCompileException;
        if (sentence && m != null) return m;
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m) + " (labsh --debug shows where)";
    }
}
