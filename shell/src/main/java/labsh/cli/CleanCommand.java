package labsh.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import labsh.runtime.Cleaner;
import labsh.runtime.Ledger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code labsh clean}: removes what a killed labsh left behind, from its ledger. */
@Command(name = "clean", mixinStandardHelpOptions = true, versionProvider = Version.class, description = {
        "Remove what a killed labsh (kill -9, a crash) left behind.",
        "Every object its ledger recorded and did not remove goes, newest first. Only objects labsh recorded are touched, each checked by",
        "identity (a pid reused by another process is not killed). Ledgers of a labsh that still runs",
        "are left alone. Ledgers live in $LABSH_STATE/ledgers, by default /run/labsh/ledgers."})
public final class CleanCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Cleaner.Report r = Cleaner.clean();
        r.removed().forEach(out::println);
        r.refused().forEach(out::println);
        r.failures().forEach(f -> err.println("labsh: " + f));
        if (r.lines().isEmpty()) out.println("nothing to clean in " + Ledger.stateDir().resolve("ledgers"));
        out.flush();
        err.flush();
        return r.ok() ? ExitCode.OK : ExitCode.LAB_FAILED;
    }
}
