package labsh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import labsh.kernel.Libc;
import labsh.kernel.Namespaces;
import labsh.kernel.NsType;
import labsh.kernel.Privilege;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code labsh lsns PID}: the namespaces of a process (seed 004, problem 4), with the columns of
 * util-linux {@code lsns -p PID}: NS is the inode behind /proc/PID/ns/TYPE (readlink gives
 * "ipc:[4026531839]"), NPROCS how many processes share it, PID the lowest of them, USER and
 * COMMAND that process's. See lsns(8) and namespaces(7).
 */
@Command(name = "lsns", mixinStandardHelpOptions = true, versionProvider = Version.class, description = {
        "List the namespaces of a process (inode and type), like lsns -p PID.",
        "Read from the links /proc/PID/ns/*, in the columns of util-linux lsns(8)."})
public final class LsnsCommand implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "PID", converter = PidConverter.class, description = "The process, e.g. $$$$ for this shell.")
    int pid;

    @Option(names = {"-n", "--noheadings"}, description = "Do not print the header line.")
    boolean noHeadings;

    /** One namespace of the process and who else is in it. */
    public record Row(long ns, NsType type, int nprocs, int firstPid, String user, String command) {}

    @Override
    public Integer call() {
        requireAccess(pid);
        Map<NsType, Long> mine = Namespaces.of(pid);
        List<Row> rows = rows(mine);
        PrintWriter out = spec.commandLine().getOut();
        out.print(table(rows, !noHeadings));
        out.flush();
        return ExitCode.OK;
    }

    /** The rows in lsns(8)'s columns, one line each, with the header line if asked. */
    public static String table(List<Row> rows, boolean headings) {
        StringBuilder sb = new StringBuilder();
        if (headings) sb.append(String.format("%10s %-6s %6s %7s %-8s %s%n", "NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"));
        for (Row r : rows) {
            sb.append(String.format("%10d %-6s %6d %7d %-8s %s%n", r.ns, r.type.procName(), r.nprocs, r.firstPid, r.user, r.command));
        }
        return sb.toString();
    }

    /**
     * /proc/PID/ns/* of another user's process can only be read with ptrace access
     * (ptrace_may_access, PTRACE_MODE_READ): say so before readlink fails with EACCES.
     */
    public static void requireAccess(int pid) {
        Path proc = Path.of("/proc/" + pid);
        if (pid <= 0 || !Files.isDirectory(proc)) throw new Namespaces.NoSuchProcessException(pid);
        // /proc/TID exists for every thread, though ls /proc does not list it: a thread is not a process
        int tgid = threadGroup(proc);
        if (tgid > 0 && tgid != pid) {
            throw new IllegalArgumentException("pid " + pid + " is a thread of process " + tgid + ", not a process (lsns takes a process id)");
        }
        try {
            int owner = (Integer) Files.getAttribute(proc, "unix:uid");
            if (owner != Libc.geteuid()) {
                Privilege.require(Privilege.CAP_SYS_PTRACE, "reading the namespaces of pid " + pid + " (another user's process)");
            }
        } catch (IOException e) {
            throw new Namespaces.NoSuchProcessException(pid);
        }
    }

    /** The Tgid line of /proc/PID/status: the process a thread id belongs to (0 if unreadable). */
    private static int threadGroup(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("Tgid:")) return Integer.parseInt(line.substring(5).trim());
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile: the namespace links fail next and say so
        }
        return 0;
    }

    /** The rows sorted by inode, as lsns prints them; processes we may not read are not counted. */
    public static List<Row> rows(Map<NsType, Long> mine) {
        int[] count = new int[NsType.values().length];
        int[] first = new int[NsType.values().length];
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                int other = Integer.parseInt(p.getFileName().toString());
                for (Map.Entry<NsType, Long> e : mine.entrySet()) {
                    if (e.getValue().equals(inode(p, e.getKey()))) {
                        int i = e.getKey().ordinal();
                        count[i]++;
                        if (first[i] == 0 || other < first[i]) first[i] = other;
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        List<Row> rows = new ArrayList<>();
        mine.forEach((type, ns) -> {
            int p = first[type.ordinal()];
            rows.add(new Row(ns, type, count[type.ordinal()], p, user(p), command(p)));
        });
        rows.sort((a, b) -> Long.compare(a.ns, b.ns));
        return rows;
    }

    private static Long inode(Path proc, NsType t) {
        try {
            String link = Files.readSymbolicLink(proc.resolve("ns").resolve(t.procName())).toString();
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return null; // gone meanwhile, a kernel thread, or not ours to read
        }
    }

    private static String user(int pid) {
        try {
            return Files.getOwner(Path.of("/proc/" + pid)).getName();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The command line as ps shows it; a kernel thread (empty cmdline) by its name. */
    private static String command(int pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            String cmd = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            if (!cmd.isEmpty()) return cmd;
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** "abc" or "-3" is a usage error with one line, not a stack trace. */
    public static final class PidConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            // ASCII digits only: Integer.parseInt also reads '١٢٣' (Arabic-Indic digits) as 123
            if (value.trim().matches("[0-9]{1,10}")) {
                try {
                    int pid = Integer.parseInt(value.trim());
                    if (pid > 0) return pid;
                } catch (NumberFormatException ignored) {
                    // over int: fall through
                }
            }
            throw new TypeConversionException("'" + value + "' is not a process id (a number greater than 0)");
        }
    }
}
