package labsh.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import labsh.kernel.Trace;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code labsh} command: {@code labsh SCRIPT [ARGS]} runs a lab, {@code labsh} alone opens the
 * shell, and the subcommands inspect and clean up. A thin layer, as Mininet's CLI is: it parses,
 * calls the DSL or the runtime, and turns errors into one line and an exit status.
 */
@Command(name = "labsh", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run Linux namespace and container labs written in a Groovy DSL.",
        subcommands = {RunCommand.class, CleanCommand.class, LsnsCommand.class, ShellCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:the lab passed / the command did its job",
                "1:the lab failed",
                "2:usage error",
                "3:a privilege is missing (run as root)",
                "4:bad input (no such process or script, a script that does not compile)"},
        footer = {"", "Examples:", "  labsh labs/ex5.groovy        run a lab", "  labsh lsns $$$$                the namespaces of this shell",
                "  sudo labsh clean             remove what a killed run left behind"})
public final class Main implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SCRIPT", description = "A lab script to run (see `labsh run`).")
    Path script;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the lab.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (script == null) return ShellCommand.open();
        return RunCommand.runLab(script, args, spec.commandLine());
    }

    /** The command line, set up: errors as one line, exit statuses, --trace. */
    public static CommandLine commandLine() {
        GlobalOptions.reset();
        // Picocli's default factory loads groovy.lang.Closure (for closures in annotations), which
        // starts the whole Groovy runtime, ~120 ms, even for --version; labsh has no such closures.
        System.setProperty("picocli.disable.closures", "true");
        CommandLine cl = new CommandLine(new Main());
        // `labsh lab.groovy --verbose`: everything after the script belongs to the lab
        cl.getCommandSpec().parser().stopAtPositional(true);
        cl.getSubcommands().get("run").getCommandSpec().parser().stopAtPositional(true);
        Errors errors = new Errors();
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionExceptionHandler(errors);
        cl.setExecutionStrategy(parsed -> {
            if (!GlobalOptions.trace) return new CommandLine.RunLast().execute(parsed);
            PrintWriter err = cl.getErr();
            try (AutoCloseable tracing = Trace.listen(c -> {
                err.println(c);
                err.flush();
            })) {
                return new CommandLine.RunLast().execute(parsed);
            } catch (CommandLine.ExecutionException | CommandLine.ParameterException e) {
                throw e;
            } catch (Exception e) {
                throw new CommandLine.ExecutionException(cl, e.getMessage(), e);
            }
        });
        return cl;
    }

    public static void main(String[] args) throws Exception {
        // `labsh` alone: straight to the shell. Building picocli's model of every command costs
        // ~0.3 s (more on a loaded machine), and the shell's prompt should come first (bench/shell-start).
        if (args.length == 0) {
            System.exit(ShellCommand.open());
        }
        int status = commandLine().execute(args);
        System.out.flush();
        System.exit(status);
    }
}
