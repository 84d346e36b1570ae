package labsh.cli;

import java.util.concurrent.Callable;
import labsh.shell.LabShell;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code labsh shell} (and {@code labsh} alone): the interactive shell ({@link LabShell}). */
@Command(name = "shell", mixinStandardHelpOptions = true, versionProvider = Version.class, description = {
        "Open the labsh shell, where DSL lines are typed live.",
        "State persists between lines; `help` lists the words and commands; Ctrl-D leaves and removes what the session made."})
public final class ShellCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return open();
    }

    static int open() throws Exception {
        try (LabShell shell = new LabShell()) {
            return shell.run();
        }
    }
}
