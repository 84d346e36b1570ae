package labsh.shell;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import labsh.dsl.LabError;

/**
 * The shell's own commands, in the spirit of Mininet's CLI: a thin layer that looks a node up by
 * name and shows what the kernel says about it. A line is a command when it starts with one of
 * these names used as a command ({@code step} alone, {@code trace on}); anything else is Groovy.
 */
final class ShellCommands {
    /** Name to a one-line usage, for help and completion (in the order help lists them). */
    static final Map<String, String> USAGE = new LinkedHashMap<>();

    static {
        USAGE.put("help", "help [WORD]            the DSL words and these commands; WORD: its signature and an example");
        USAGE.put("nodes", "nodes                  what exists now: name, pid, kind, own namespaces");
        USAGE.put("exec", "exec NODE CMD...       run CMD with /bin/sh in NODE's namespaces (nsenter-like)");
        USAGE.put("attach", "attach NODE            an interactive /bin/sh in NODE's namespaces; exit comes back here");
        USAGE.put("lsns", "lsns [NODE]            NODE's namespaces, as util-linux lsns -p PID");
        USAGE.put("mounts", "mounts [NODE]          NODE's mount table as a tree, with propagation (findmnt-like)");
        USAGE.put("ipcs", "ipcs [NODE]            SysV segments and queues in NODE's IPC namespace (/proc/sysvipc)");
        USAGE.put("load", "load FILE              load a lab and stop before its first step");
        USAGE.put("step", "step (or next)         run the loaded lab's next step, then stop");
        USAGE.put("continue", "continue               run the rest of the loaded lab");
        USAGE.put("abort", "abort                  stop the loaded lab");
        USAGE.put("run", "run FILE               run a whole lab here (its variables stay)");
        USAGE.put("trace", "trace on|off           print the kernel calls of each line, strace-like");
        USAGE.put("picture", "picture [FILE.html]    who is in which namespace, which mounts and links connect them");
        USAGE.put("exit", "exit (or Ctrl-D)       leave; everything the session made is removed");
    }

    private static final Pattern COMMAND = Pattern.compile(
            "(help|nodes|exec|attach|lsns|mounts|ipcs|load|run|picture|abort|next|continue|exit|quit)(\\s.*)?|step\\s*|trace\\s+(on|off)\\s*",
            Pattern.DOTALL);

    private final LabShell shell;
    private final Evaluator evaluator;
    private final LabStepper stepper;
    private final Nodes nodes;
    private final PrintStream out;
    private final KernelViews views;
    private final Help help;

    ShellCommands(LabShell shell, Evaluator evaluator, LabStepper stepper, Nodes nodes, PrintStream out) {
        this.shell = shell;
        this.evaluator = evaluator;
        this.stepper = stepper;
        this.nodes = nodes;
        this.out = out;
        this.views = new KernelViews(nodes, out);
        this.help = new Help(out);
    }

    static boolean isCommand(String line) { return COMMAND.matcher(line.strip()).matches(); }

    boolean isExit(String line) { return line.strip().matches("exit|quit"); }

    /** Runs {@code line} if it is a command; false if it is Groovy. */
    boolean run(String line) throws Exception {
        String l = line.strip();
        if (!isCommand(l)) return false;
        String name = l.split("\\s+", 2)[0];
        String rest = l.length() > name.length() ? l.substring(name.length()).strip() : "";
        switch (name) {
            case "help" -> help.show(rest);
            case "nodes" -> views.nodes();
            case "exec" -> {
                String[] a = rest.split("\\s+", 2);
                if (a.length < 2 || a[0].isEmpty()) throw new IllegalArgumentException("usage: " + USAGE.get("exec").split("  ")[0].strip());
                views.exec(a[0], a[1]);
            }
            case "attach" -> views.attach(required(rest, "attach"), shell);
            case "lsns" -> views.lsns(rest.isEmpty() ? Nodes.HOST : rest);
            case "mounts" -> views.mounts(rest.isEmpty() ? Nodes.HOST : rest);
            case "ipcs" -> views.ipcs(rest.isEmpty() ? Nodes.HOST : rest);
            case "load" -> stepper.load(Path.of(required(rest, "load")), true);
            case "run" -> stepper.load(Path.of(required(rest, "run")), false);
            case "step", "next" -> stepper.step();
            case "continue" -> stepper.continueAll();
            case "abort" -> stepper.abort();
            case "trace" -> {
                shell.trace(rest.equals("on"));
                out.println("trace " + rest);
            }
            case "picture" -> {
                Picture p = Picture.of(nodes);
                if (rest.isEmpty()) out.print(p.tree());
                else out.println("wrote " + p.writeHtml(Path.of(rest)));
            }
            default -> throw new IllegalStateException("no command " + name);
        }
        return true;
    }

    private static String required(String arg, String command) {
        if (arg.isEmpty()) throw new IllegalArgumentException("usage: " + USAGE.get(command).split("  ")[0].strip());
        return arg;
    }

    /** An error as one line (labsh's exceptions are sentences already). */
    static String oneLine(Throwable e) {
        Throwable t = LabError.unwrap(e);
        return "labsh: " + LabError.messageOf(t);
    }
}
