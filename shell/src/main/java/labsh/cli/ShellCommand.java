package labsh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code labsh shell} (and {@code labsh} alone): the interactive shell. A placeholder until it is built. */
@Command(name = "shell", mixinStandardHelpOptions = true, versionProvider = Version.class, description = "Open the labsh shell, where DSL lines are typed live.")
public final class ShellCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        return placeholder(spec.commandLine().getErr());
    }

    static int placeholder(java.io.PrintWriter err) {
        err.println("labsh: the shell is not built yet; run a lab with: labsh labs/NAME.groovy (labsh --help lists the commands)");
        return ExitCode.USAGE;
    }
}
