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
        "are left alone. A line naming something labsh could not have made (a path outside the state directory,",
        "a mount at /, a cgroup outside labsh's own) is refused and kept. One line per entry says what was done:",
        "removed, already gone, left alone: WHY, refused: WHY. Ledgers live in $LABSH_STATE/ledgers, by default",
        "/run/labsh/ledgers (root's only, mode 0700). Exit status 1 when anything failed or was refused."})
public final class CleanCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Cleaner.Report r = Cleaner.clean();
        for (String line : r.lines()) {
            if (r.failures().contains(line)) err.println("labsh: " + line);
            else out.println(line);
        }
        if (r.lines().isEmpty()) out.println("nothing to clean in " + Ledger.stateDir().resolve("ledgers"));
        out.flush();
        err.flush();
        return r.ok() ? ExitCode.OK : ExitCode.LAB_FAILED;
    }
}
