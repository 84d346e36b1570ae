package labsh.shell;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.reader.Highlighter;
import org.jline.reader.LineReader;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * Colours as the user types: a shell command at the start in magenta, DSL words in bold blue,
 * names of nodes that exist now in yellow, strings in green, numbers in cyan, comments dim.
 */
final class ShellHighlighter implements Highlighter {
    private static final Pattern TOKENS = Pattern.compile(
            "(?<comment>//.*)|(?<string>'(?:[^'\\\\]|\\\\.)*'?|\"(?:[^\"\\\\]|\\\\.)*\"?)|(?<number>\\b\\d+\\b)|(?<word>[A-Za-z_][A-Za-z0-9_]*)");
    private static final AttributedStyle COMMAND = AttributedStyle.BOLD.foreground(AttributedStyle.MAGENTA);
    private static final AttributedStyle WORD = AttributedStyle.BOLD.foreground(AttributedStyle.BLUE);
    private static final AttributedStyle NODE = AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
    private static final AttributedStyle STRING = AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
    private static final AttributedStyle NUMBER = AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN);
    private static final AttributedStyle COMMENT = AttributedStyle.DEFAULT.faint();

    private final Nodes nodes;

    ShellHighlighter(Nodes nodes) {
        this.nodes = nodes;
    }

    @Override
    public AttributedString highlight(LineReader reader, String buffer) {
        boolean command = ShellCommands.isCommand(buffer.strip());
        Set<String> words = Warmup.wordsIfLoaded();
        Set<String> names = nodes.live().keySet();
        AttributedStringBuilder sb = new AttributedStringBuilder();
        Matcher m = TOKENS.matcher(buffer);
        int at = 0;
        boolean firstWord = true;
        while (m.find()) {
            sb.append(buffer, at, m.start());
            String t = m.group();
            AttributedStyle style = AttributedStyle.DEFAULT;
            if (m.group("comment") != null) style = COMMENT;
            else if (m.group("string") != null) style = names.contains(t.replaceAll("^['\"]|['\"]$", "")) ? NODE : STRING;
            else if (m.group("number") != null) style = NUMBER;
            else if (firstWord && command) style = COMMAND;
            else if (names.contains(t)) style = NODE;
            else if (words.contains(t)) style = WORD;
            if (m.group("word") != null) firstWord = false;
            sb.styled(style, t);
            at = m.end();
        }
        sb.append(buffer.substring(at));
        return sb.toAttributedString();
    }

    @Override
    public void setErrorPattern(Pattern errorPattern) {}

    @Override
    public void setErrorIndex(int errorIndex) {}
}
