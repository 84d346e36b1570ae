package labsh.runtime.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Talks to an interactive shell through pipes, as a terminal would without the tty: lines go to its
 * stdin, its stdout+stderr (the prompt included: sh -i prints PS1 to stderr) are collected by a
 * reader thread. {@link #type} sends one command line followed by an {@code echo} of a marker and
 * returns what came before the marker, so a lab can drive the container's own shell step by step.
 */
public final class ShellSession implements AutoCloseable {
    private final OutputStream stdin;
    private final StringBuilder seen = new StringBuilder();
    private final Thread reader;
    private final String prompt;
    private int consumed, seq;
    private boolean ended;

    public ShellSession(OutputStream stdin, InputStream output, String prompt) {
        this.stdin = stdin;
        this.prompt = prompt;
        reader = new Thread(() -> pump(output), "labsh-shell-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void pump(InputStream in) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (this) {
                    seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // the pipe closed with the shell: ended below
        }
        synchronized (this) {
            ended = true;
            notifyAll();
        }
    }

    /**
     * Waits for the shell's first prompt (after its banner and "can't access tty" notice, which
     * stay in the {@link #transcript}), so that the first {@link #type} returns only its own output.
     */
    public synchronized void awaitPrompt(Duration timeout) {
        consumed = awaitText(prompt, 0, timeout, "its first prompt") + prompt.length();
    }

    /**
     * Types {@code line} and returns its output (prompts removed). The shell is asked to echo a
     * marker after it; a shell that ends or stays silent for {@code timeout} is an error.
     */
    public synchronized String type(String line, Duration timeout) {
        String marker = "--labsh-" + (++seq) + "--";
        // The command computes the marker, so the text typed never contains it: busybox ash with -i
        // on a pipe sometimes prints a pending input line after the prompt (seen after pipelines).
        String markerCommand = "echo --labsh-$((" + seq + "+0))--";
        write(line + "\n" + markerCommand + "\n");
        int at = awaitText(marker + "\n", consumed, timeout, "'" + line + "'");
        String chunk = seen.substring(consumed, at);
        consumed = at + marker.length() + 1;
        return withoutPrompts(chunk.replace(markerCommand + "\n", ""));
    }

    /** Where {@code text} appears in the output from {@code from} on, once it has. */
    private int awaitText(String text, int from, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int at;
        while ((at = seen.indexOf(text, from)) < 0) {
            if (ended) throw new IllegalStateException("the container's shell ended while waiting for " + what + ": " + tail());
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new IllegalStateException("no answer from the container's shell to " + what + " in " + timeout.toSeconds() + " s");
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the container's shell");
            }
        }
        return at;
    }

    /** Everything the shell printed so far, prompts included: what a user at its terminal saw. */
    public synchronized String transcript() { return seen.toString(); }

    public String prompt() { return prompt; }

    private String withoutPrompts(String chunk) {
        String s = chunk;
        if (prompt == null || prompt.isEmpty()) return s;
        while (s.startsWith(prompt)) s = s.substring(prompt.length());
        while (s.endsWith(prompt)) s = s.substring(0, s.length() - prompt.length());
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private String tail() {
        String s = seen.toString().strip();
        return s.isEmpty() ? "(no output)" : s.substring(s.lastIndexOf('\n') + 1);
    }

    private void write(String text) {
        try {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the container's shell does not read its input any more: " + e.getMessage(), e);
        }
    }

    /** Closes the shell's stdin: an interactive shell exits at end of input, and with it the init. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
