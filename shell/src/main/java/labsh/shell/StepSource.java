package labsh.shell;

import java.util.ArrayList;
import java.util.List;

/** The lines of a step's body in the script's text, found from the line of its {@code step(...)} call. */
final class StepSource {
    private StepSource() {}

    /**
     * Indexes (0-based) of the lines from the step's line to the line that closes its first
     * brace, braces inside quotes not counted; the step's own line alone if it opens none.
     */
    static List<Integer> bodyLines(List<String> source, int line) {
        List<Integer> lines = new ArrayList<>();
        if (line <= 0 || line > source.size()) return lines;
        int depth = 0;
        boolean opened = false;
        for (int i = line - 1; i < source.size(); i++) {
            lines.add(i);
            char quote = 0;
            String l = source.get(i);
            for (int j = 0; j < l.length(); j++) {
                char c = l.charAt(j);
                if (quote != 0) {
                    if (c == '\\') j++;
                    else if (c == quote) quote = 0;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '/' && j + 1 < l.length() && l.charAt(j + 1) == '/') {
                    break;
                } else if (c == '{') {
                    depth++;
                    opened = true;
                } else if (c == '}') {
                    depth--;
                }
            }
            if (!opened || depth <= 0) break;
        }
        return lines;
    }
}
