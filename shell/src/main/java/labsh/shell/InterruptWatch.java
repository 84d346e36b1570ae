package labsh.shell;

import java.io.IOException;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;

/**
 * While a line runs: the terminal in raw mode (no echo of type-ahead, no SIGINT, see
 * {@link LabShell}), and a thread that reads keys: Ctrl-C interrupts the running line, a second
 * Ctrl-C gives up waiting for it (it may be blocked in the kernel, where an interrupt cannot
 * reach it). Other keys typed meanwhile are kept and given to the next prompt.
 */
final class InterruptWatch implements AutoCloseable {
    private static final int CTRL_C = 3;

    private final Terminal terminal;
    private final Attributes before;
    private final Thread watcher;
    private volatile boolean stop;
    private volatile boolean givenUp;
    private volatile boolean suspended;
    private final StringBuffer typeAhead = new StringBuffer();

    private InterruptWatch(Terminal terminal, Thread worker) {
        this.terminal = terminal;
        this.before = terminal.enterRawMode();
        Attributes raw = terminal.getAttributes();
        raw.setLocalFlag(Attributes.LocalFlag.ISIG, false);
        raw.setOutputFlag(Attributes.OutputFlag.OPOST, true); // keep \n -> \r\n for what runs
        raw.setOutputFlag(Attributes.OutputFlag.ONLCR, true);
        terminal.setAttributes(raw);
        this.watcher = new Thread(() -> watch(worker), "labsh-ctrl-c");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static InterruptWatch current;

    static synchronized InterruptWatch start(Terminal terminal, Thread worker) {
        current = new InterruptWatch(terminal, worker);
        return current;
    }

    /** The watch of the line that runs now, or null (for attach, which hands the terminal over). */
    static synchronized InterruptWatch current() { return current; }

    boolean givenUp() { return givenUp; }

    /** What was typed while the line ran (but Ctrl-C), for the next prompt to take as typed. */
    String typeAhead() { return typeAhead.toString(); }

    /** Stops reading keys while another program owns the terminal (attach). */
    void suspend(boolean on) { suspended = on; }

    private void watch(Thread worker) {
        NonBlockingReader keys = terminal.reader();
        int presses = 0;
        while (!stop) {
            try {
                if (suspended) {
                    Thread.sleep(50);
                    continue;
                }
                int c = keys.read(50);
                if (c >= 0 && c != CTRL_C) typeAhead.append((char) c);
                if (c != CTRL_C) continue;
                presses++;
                terminal.writer().println("^C");
                terminal.writer().flush();
                if (presses == 1) worker.interrupt();
                else givenUp = true;
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            watcher.join(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (InterruptWatch.class) {
            current = null;
        }
        terminal.setAttributes(before);
    }
}
