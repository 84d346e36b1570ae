package labsh.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code labsh clean}: removes what a killed labsh left behind, from its ledger alone (never by
 * matching names, the mistake of {@code mn -c}). For every ledger under
 * {@code Ledger.stateDir()/ledgers} whose owner is dead, every entry not yet removed is removed,
 * newest first, by {@link Removers} (which check identity: a recycled pid is not killed), and
 * then the ledger is deleted. A ledger whose owner still runs is left alone: it is that labsh's
 * job to clean up, and removing objects from under it would break its lab.
 */
public final class Cleaner {
    /** {@code <pid>-<starttime>.ledger}, as written by {@link Ledger#current()}. */
    private static final Pattern NAME = Pattern.compile("(\\d+)-(\\d+)\\.ledger");
    private static final Pattern LINE = Pattern.compile("(\\d+) ([+=-])(.*)");

    /**
     * What a clean did, one line per ledger entry and per ledger left alone, in the order done:
     * "removed", "already gone", "left alone: WHY" (not labsh clean's to remove, or not reachable
     * from here), "refused: WHY" (labsh could not have made it: {@link LedgerScope}), and the
     * failures ("could not remove ...: WHY").
     */
    public record Report(List<String> lines, List<String> removed, List<String> gone, List<String> leftAlone,
                         List<String> refused, List<String> failures) {
        /** Nothing failed and no line was refused (a refused line is kept in its ledger for a person to read). */
        public boolean ok() { return failures.isEmpty() && refused.isEmpty(); }
    }

    private final List<String> lines = new ArrayList<>();
    private final List<String> removed = new ArrayList<>();
    private final List<String> gone = new ArrayList<>();
    private final List<String> leftAlone = new ArrayList<>();
    private final List<String> refused = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    private Cleaner() {}

    /** Cleans every ledger in the state directory ({@code LABSH_STATE} or /run/labsh). */
    public static Report clean() {
        return clean(Ledger.stateDir().resolve("ledgers"));
    }

    public static Report clean(Path ledgerDir) {
        Cleaner c = new Cleaner();
        if (Files.isDirectory(ledgerDir)) {
            try {
                // an older labsh left them world-readable: root's only from now on
                Ledger.makePrivate(ledgerDir);
            } catch (IOException e) {
                c.add(c.failures, "cannot make " + ledgerDir + " root's only: " + e.getMessage());
            }
            try (DirectoryStream<Path> ledgers = Files.newDirectoryStream(ledgerDir, "*.ledger")) {
                for (Path ledger : ledgers) c.cleanLedger(ledger);
            } catch (IOException e) {
                c.add(c.failures, "cannot read " + ledgerDir + ": " + e.getMessage());
            }
        }
        return new Report(List.copyOf(c.lines), List.copyOf(c.removed), List.copyOf(c.gone), List.copyOf(c.leftAlone),
                List.copyOf(c.refused), List.copyOf(c.failures));
    }

    private void add(List<String> list, String line) {
        list.add(line);
        lines.add(line);
    }

    private void cleanLedger(Path ledger) {
        Matcher m = NAME.matcher(ledger.getFileName().toString());
        if (!m.matches()) {
            add(failures, "ignored " + ledger + ": not named <pid>-<starttime>.ledger");
            return;
        }
        int pid = Integer.parseInt(m.group(1));
        long start = Long.parseLong(m.group(2));
        if (pid == ProcessHandle.current().pid()) return; // our own, unwound by ourselves
        if (ProcFs.isSameProcess(pid, start)) {
            add(leftAlone, "left " + ledger.getFileName() + " alone: labsh pid " + pid + " is still running (stop it, or let it clean up itself)");
            return;
        }
        List<Open> open;
        try {
            open = read(ledger);
        } catch (IOException e) {
            add(failures, "cannot read " + ledger + ": " + e.getMessage());
            return;
        }
        LedgerScope scope = new LedgerScope(ledger.toAbsolutePath().getParent().getParent(), start);
        boolean allGone = true;
        for (int i = open.size() - 1; i >= 0; i--) { // newest first: a process before the dir it runs in
            Open e = open.get(i);
            if (!cleanEntry(e, scope, open)) {
                allGone = false;
                continue;
            }
            markRemoved(ledger, e.seq);
        }
        if (allGone) {
            try {
                Files.deleteIfExists(ledger);
            } catch (IOException ex) {
                add(failures, "cannot delete " + ledger + ": " + ex.getMessage());
            }
        }
    }

    /**
     * One entry: refused if labsh could not have made it; else probed, removed, probed again.
     * Returns true when the entry can be closed (removed, gone, or not ours to remove).
     */
    private boolean cleanEntry(Open e, LedgerScope scope, List<Open> all) {
        String what = e.kind + Ledger.format(e.fields);
        try {
            String refusal = scope.refusal(e.kind, e.fields);
            if (refusal != null) {
                add(refused, "refused " + what + ": " + refusal);
                return false;
            }
            Map<String, String> fields = onlyRecordedMembers(e.fields, all);
            Removers.Probe before = Removers.probe(e.kind, fields);
            if (before != null && before.state() == Removers.Probe.State.GONE) {
                add(gone, "already gone " + what + (before.why() == null ? "" : ": " + before.why()));
                return true;
            }
            if (before != null && before.state() == Removers.Probe.State.ELSEWHERE) {
                add(leftAlone, "left alone " + what + ": " + before.why());
                return true;
            }
            Removers.remove(e.kind, fields);
            Removers.Probe after = Removers.probe(e.kind, fields);
            if (after == null) {
                add(removed, "ran the remover of " + what + " (a kind without a probe: removed, or already gone)");
            } else if (after.state() == Removers.Probe.State.PRESENT && Objects.equals(after.identity(), before == null ? null : before.identity())) {
                add(failures, "could not remove " + what + ": it is still there");
                return false;
            } else {
                add(removed, "removed " + what);
            }
            return true;
        } catch (RuntimeException ex) {
            add(failures, "could not remove " + what + ": " + ex.getMessage());
            return false;
        }
    }

    /**
     * A shared directory's members are stopped before it goes ({@link Removers}); from a ledger
     * read back, only those that the same ledger records as processes labsh started are, so a line
     * naming another pid cannot make {@code labsh clean} kill it.
     */
    private static Map<String, String> onlyRecordedMembers(Map<String, String> f, List<Open> all) {
        if (!f.containsKey("members")) return f;
        List<long[]> kept = new ArrayList<>();
        for (long[] m : Removers.members(f)) {
            boolean recorded = m[0] > 1 && all.stream().anyMatch(o -> o.kind.equals("process")
                    && String.valueOf(m[0]).equals(o.fields.get("pid")) && String.valueOf(m[1]).equals(o.fields.get("start")));
            if (recorded) kept.add(m);
        }
        Map<String, String> copy = new LinkedHashMap<>(f);
        copy.put("members", Removers.membersField(kept));
        return copy;
    }

    /** An entry intended or created and not removed. */
    private record Open(int seq, String kind, Map<String, String> fields) {}

    /**
     * The ledger's open entries, oldest first. Only lines ended by a newline count: a line cut
     * short by kill -9 may hold a truncated value (an id of 327 for 32769) that would name the
     * wrong object, so it is dropped, and the entry is removed from what the complete lines say.
     * (A cut "+" line means the object was never created: the record comes before the creation.)
     */
    static List<Open> read(Path ledger) throws IOException {
        String text = Files.readString(ledger, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        String complete = end < 0 ? "" : text.substring(0, end);
        Map<Integer, Open> open = new TreeMap<>();
        for (String line : complete.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) continue; // garbage: nothing safe can be read from it
            int seq = Integer.parseInt(m.group(1));
            String rest = m.group(3).trim();
            switch (m.group(2)) {
                case "+" -> {
                    String[] words = rest.split(" ");
                    if (words[0].isEmpty()) continue;
                    open.put(seq, new Open(seq, words[0], fields(words, 1)));
                }
                case "=" -> {
                    Open e = open.get(seq);
                    if (e != null) e.fields.putAll(fields(rest.split(" "), 0));
                }
                default -> open.remove(seq);
            }
        }
        return new ArrayList<>(open.values());
    }

    private static Map<String, String> fields(String[] words, int from) {
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = from; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq > 0) f.put(words[i].substring(0, eq), Ledger.unescape(words[i].substring(eq + 1)));
        }
        return f;
    }

    /** Closes the entry in the ledger too, so that a clean stopped half-way does not redo it. */
    private static void markRemoved(Path ledger, int seq) {
        try {
            // A ledger cut mid-line: drop the cut tail first (read() ignores it anyway); ending it
            // with a newline instead would make a truncated value look like a whole line.
            String text = Files.readString(ledger, StandardCharsets.UTF_8);
            if (!text.isEmpty() && !text.endsWith("\n")) {
                Files.writeString(ledger, text.substring(0, text.lastIndexOf('\n') + 1), StandardCharsets.UTF_8);
            }
            Files.writeString(ledger, seq + " -\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the next clean removes it again: removers are idempotent
        }
    }
}
