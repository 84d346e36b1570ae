package labsh.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import labsh.kernel.Trace;
import labsh.runtime.Ledger;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The labsh shell: read a line (JLine), run it on a worker thread (a shell command or Groovy with
 * the DSL), print, repeat. Ctrl-C stops what runs and keeps the shell; Ctrl-D leaves and removes
 * everything the session made (the ledger).
 *
 * <p>Why the terminal's ISIG is off while the shell runs: containers started by the native stage
 * are in labsh's process group, so a Ctrl-C turned into SIGINT by the terminal would reach them
 * too (nsinit forwards it to its child) and kill a container started three lines ago. So the
 * shell reads Ctrl-C as a character, at the prompt (JLine's send-break: a fresh line) and while a
 * line runs ({@link InterruptWatch}: interrupt the worker), and signals nobody else.
 */
public final class LabShell implements AutoCloseable {
    private final Terminal terminal;
    private final LineReader reader;
    private final PrintStream out;
    private final Evaluator evaluator;
    private final LabStepper stepper;
    private final ShellCommands commands;
    private final Attributes original;
    /** The terminal as labsh keeps it between lines: the user's settings, but no signals (see above). */
    private final Attributes cooked;
    private AutoCloseable tracing;

    public LabShell() throws IOException {
        // JNA: labsh loads it anyway for its kernel calls; JLine would otherwise try its JNI library first.
        // JLine 3.29 marks that provider deprecated and says so on every start: not the user's concern.
        System.setProperty("org.jline.terminal.disableDeprecatedProviderWarning", "true");
        terminal = TerminalBuilder.builder().name("labsh").system(true).nativeSignals(true).provider("jna")
                .signalHandler(Terminal.SignalHandler.SIG_IGN).build();
        // input redirected (a dumb terminal) has width 0: JLine would then wrap at every character
        if (terminal.getWidth() <= 0) terminal.setSize(new Size(120, 40));
        original = terminal.getAttributes();
        cooked = new Attributes(original);
        cooked.setLocalFlag(Attributes.LocalFlag.ISIG, false);
        terminal.setAttributes(cooked);
        out = new PrintStream(terminal.output(), true, StandardCharsets.UTF_8);
        evaluator = new Evaluator(out, out);
        stepper = new LabStepper(evaluator, out, out);
        Nodes nodes = new Nodes(evaluator::values);
        commands = new ShellCommands(this, evaluator, stepper, nodes, out);
        DefaultParser parser = new DefaultParser();
        // an open brace, parenthesis or bracket continues the input on the next line (groovysh does the same)
        parser.setEofOnUnclosedBracket(DefaultParser.Bracket.CURLY, DefaultParser.Bracket.ROUND, DefaultParser.Bracket.SQUARE);
        parser.setEofOnUnclosedQuote(true);
        parser.setEofOnEscapedNewLine(true);
        reader = LineReaderBuilder.builder().terminal(terminal).appName("labsh").parser(parser)
                .completer(new ShellCompleter(nodes, evaluator))
                .highlighter(new ShellHighlighter(nodes))
                .variable(LineReader.HISTORY_FILE, historyFile())
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P  … ")
                .variable(LineReader.INDENTATION, 2)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // `!` is Groovy's not, not history
                .option(LineReader.Option.INSERT_BRACKET, false)
                .build();
        reader.getKeyMaps().values().forEach(k -> k.bind(new org.jline.reader.Reference(LineReader.SEND_BREAK), "\003"));
    }

    /** $LABSH_HISTORY, else ~/.labsh_history. */
    private static Path historyFile() {
        String env = System.getenv("LABSH_HISTORY");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".labsh_history");
    }

    Terminal terminal() { return terminal; }

    /** Cooked mode without signals: for a program that gets the terminal (attach). */
    Attributes cookedAttributes() { return cooked; }

    /** The read-run-print loop; returns when the user leaves (Ctrl-D, exit). */
    public int run() {
        out.println("labsh shell — the lab DSL, typed live. help lists the words and commands; Ctrl-D leaves and cleans up.");
        Warmup.start(evaluator);
        for (;;) {
            String line;
            try {
                line = reader.readLine(prompt());
            } catch (UserInterruptException e) {
                continue;
            } catch (EndOfFileException | java.io.IOError e) {
                break; // Ctrl-D, or the terminal is gone
            }
            if (line.isBlank()) continue;
            if (commands.isExit(line)) break;
            runInterruptibly(line);
        }
        return 0;
    }

    private String prompt() {
        String where = stepper.where();
        return where == null ? "labsh> " : "labsh[" + where + "]> ";
    }

    /** Runs one input on its own thread; Ctrl-C interrupts it, a second Ctrl-C stops waiting for it. */
    private void runInterruptibly(String line) {
        Thread worker = new Thread(() -> {
            try {
                if (!commands.run(line)) evaluator.evaluate(line);
            } catch (InterruptedException e) {
                out.println("interrupted");
            } catch (Exception e) {
                out.println(ShellCommands.oneLine(e));
            }
        }, "labsh-input");
        worker.setDaemon(true);
        InterruptWatch watch = InterruptWatch.start(terminal, worker);
        try (watch) {
            worker.start();
            while (worker.isAlive() && !watch.givenUp()) worker.join(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
        // keys typed while the line ran: the next prompt gets them as if typed there
        if (!watch.typeAhead().isEmpty()) reader.runMacro(watch.typeAhead());
    }

    /** trace on|off: every kernel call of what runs, strace-like, under the line that made it. */
    void trace(boolean on) throws Exception {
        if (tracing != null) tracing.close();
        tracing = on ? Trace.listen(c -> out.println("   ⇢ " + c)) : null;
    }

    boolean tracing() { return tracing != null; }

    /** Leaving: stop a loaded lab, remove everything the session made, give the terminal back. */
    @Override
    public void close() {
        try {
            stepper.abort();
            List<String> failures = Ledger.current().unwind();
            failures.forEach(f -> out.println("labsh: could not remove " + f));
            out.println(failures.isEmpty() ? "bye: everything this session made is removed" : "bye: see above what could not be removed");
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // whatever the unwind threw, the user's terminal gets its signals (ISIG) and echo back
            try {
                terminal.setAttributes(original);
                terminal.close();
            } catch (IOException ignored) {
                // the terminal is gone already
            }
        }
    }
}
