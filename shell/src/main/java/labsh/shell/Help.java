package labsh.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import labsh.dsl.LabCompiler;
import labsh.dsl.LabScript;
import labsh.dsl.Suggest;

/**
 * {@code help} and {@code help WORD}. The words are LabScript's own (its public methods and its
 * traits', {@link LabCompiler#words()}), so a word another trait adds is listed at once; what each
 * does and an example are in {@code labsh/shell/help.txt}, one {@code ## word} section each.
 */
final class Help {
    static final String RESOURCE = "/labsh/shell/help.txt";

    private final PrintStream out;

    Help(PrintStream out) { this.out = out; }

    void show(String word) {
        if (word.isEmpty()) {
            overview();
            return;
        }
        Map<String, String> docs = docs();
        boolean command = ShellCommands.USAGE.containsKey(word), dslWord = LabCompiler.words().contains(word);
        if (command) out.println("  " + ShellCommands.USAGE.get(word));
        if (command && !dslWord) {
            if (docs.containsKey(word)) out.print(docs.get(word));
            return;
        }
        if (!dslWord) {
            List<String> all = new ArrayList<>(LabCompiler.words());
            all.addAll(ShellCommands.USAGE.keySet());
            String s = Suggest.closest(word, all);
            throw new IllegalArgumentException("no word or command '" + word + "'" + (s != null ? " — did you mean '" + s + "'?" : ""));
        }
        signatures(word).forEach(s -> out.println(s));
        out.print(docs.getOrDefault(word, "  (no example yet: add a `## " + word + "` section to shell/src/main/resources" + RESOURCE + ")\n"));
    }

    private void overview() {
        out.println("DSL words (as in a lab script; help WORD shows an example):");
        out.println(columns(LabCompiler.words()));
        out.println("Shell commands:");
        ShellCommands.USAGE.values().forEach(u -> out.println("  " + u));
        out.println("Keys: TAB completes words, nodes, files; an open { ( [ continues on the next line; Ctrl-C stops what runs; Ctrl-D leaves.");
    }

    private static String columns(SortedSet<String> words) {
        StringBuilder sb = new StringBuilder("  ");
        int col = 2;
        for (String w : words) {
            if (col + w.length() > 100) {
                sb.append("\n  ");
                col = 2;
            }
            sb.append(w).append("  ");
            col += w.length() + 2;
        }
        return sb.toString();
    }

    /** The word's signatures, from LabScript's methods: {@code server(Map)}. */
    static SortedSet<String> signatures(String word) {
        SortedSet<String> sigs = new TreeSet<>();
        for (Method m : LabScript.class.getMethods()) {
            if (!m.getName().equals(word) || Modifier.isStatic(m.getModifiers()) || m.isSynthetic()) continue;
            StringBuilder sb = new StringBuilder("  ").append(m.getReturnType().getSimpleName()).append(' ').append(word).append('(');
            Class<?>[] p = m.getParameterTypes();
            for (int i = 0; i < p.length; i++) sb.append(i == 0 ? "" : ", ").append(p[i].getSimpleName());
            sigs.add(sb.append(')').toString());
        }
        return sigs;
    }

    /** The sections of help.txt: word to its text (description and indented example). */
    static Map<String, String> docs() {
        Map<String, String> docs = new LinkedHashMap<>();
        try (InputStream in = Help.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return docs;
            String word = null;
            StringBuilder text = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.startsWith("## ")) {
                    if (word != null) docs.put(word, text.toString());
                    word = line.substring(3).strip();
                    text.setLength(0);
                } else if (word != null && !(line.isBlank() && text.length() == 0)) {
                    text.append("  ").append(line).append('\n');
                }
            }
            if (word != null) docs.put(word, text.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
        docs.replaceAll((w, t) -> t.stripTrailing() + "\n");
        return docs;
    }
}
