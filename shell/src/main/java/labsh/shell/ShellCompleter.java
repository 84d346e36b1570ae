package labsh.shell;

import java.util.List;
import java.util.Map;
import java.util.Set;
import labsh.dsl.LabCompiler;
import labsh.dsl.Node;
import org.jline.builtins.Completers;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * TAB: the first word completes to a command, a DSL word or a variable; after a command that
 * takes a node (exec, attach, lsns, mounts, ipcs) to the names and pids of the nodes that exist
 * now; after load, run and picture, and on anything that starts like a path, to files.
 */
final class ShellCompleter implements Completer {
    private static final Set<String> TAKES_NODE = Set.of("exec", "attach", "lsns", "mounts", "ipcs");
    private static final Set<String> TAKES_FILE = Set.of("load", "run", "picture");

    private final Nodes nodes;
    private final Evaluator evaluator;
    private final Completer files = new Completers.FileNameCompleter();

    ShellCompleter(Nodes nodes, Evaluator evaluator) {
        this.nodes = nodes;
        this.evaluator = evaluator;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        String first = words.isEmpty() ? "" : words.get(0);
        String word = line.word();
        if (line.wordIndex() == 1 && TAKES_NODE.contains(first)) {
            nodeCandidates(candidates);
            return;
        }
        if (line.wordIndex() >= 1 && TAKES_FILE.contains(first) || word.startsWith("/") || word.startsWith("./")) {
            files.complete(reader, line, candidates);
            return;
        }
        if (line.wordIndex() == 1 && first.equals("trace")) {
            candidates.add(new Candidate("on"));
            candidates.add(new Candidate("off"));
            return;
        }
        if (line.wordIndex() == 0) {
            for (String c : ShellCommands.USAGE.keySet()) candidates.add(new Candidate(c, c, "commands", null, null, null, true));
        }
        for (String w : LabCompiler.words()) candidates.add(new Candidate(w, w, "DSL words", null, null, null, true));
        for (String v : evaluator.variableNames()) candidates.add(new Candidate(v, v, "variables", null, null, null, true));
    }

    private void nodeCandidates(List<Candidate> candidates) {
        for (Map.Entry<String, Node> e : nodes.live().entrySet()) {
            String pid = Integer.toString(e.getValue().getPid());
            candidates.add(new Candidate(e.getKey(), e.getKey(), "nodes", "pid " + pid, null, null, true));
            candidates.add(new Candidate(pid, pid, "pids", e.getKey(), null, null, true));
        }
        candidates.add(new Candidate(Nodes.HOST, Nodes.HOST, "nodes", "labsh itself", null, null, true));
    }
}
