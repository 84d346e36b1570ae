package labsh.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import labsh.dsl.LabOptions;
import labsh.dsl.LabResult;
import labsh.dsl.LabRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labsh run SCRIPT [ARGS]} (also {@code labsh SCRIPT [ARGS]}): runs a whole lab, step by step. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Version.class, description = {
        "Run a lab script step by step.",
        "Each step is checked, and everything the lab created is removed at the end.",
        "A typo in the script is reported with its file and line before anything runs."})
public final class RunCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCRIPT", description = "The lab script, e.g. labs/ex5.groovy.")
    Path script;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the lab (its `args`).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        return runLab(script, args, spec.commandLine());
    }

    static int runLab(Path script, List<String> args, CommandLine cl) {
        if (!Files.isRegularFile(script)) {
            cl.getErr().println("labsh: no lab script at " + script + (Files.isDirectory(script) ? " (a directory)" : ""));
            return ExitCode.BAD_INPUT;
        }
        LabOptions o = new LabOptions();
        o.setOut(WriterStream.of(cl.getOut()));
        o.setErr(WriterStream.of(cl.getErr()));
        o.setArgs(args);
        o.setDebug(GlobalOptions.debug);
        o.setTrace(false); // --trace is printed for the whole run by Main, lab or not
        LabResult r = LabRunner.run(script, o);
        o.getOut().flush();
        o.getErr().flush();
        if (r.isOk()) return ExitCode.OK;
        if (r.isCompileFailed()) return ExitCode.BAD_INPUT;
        if (r.isMissingPrivilege()) return ExitCode.NO_PRIVILEGE;
        return ExitCode.LAB_FAILED;
    }
}
