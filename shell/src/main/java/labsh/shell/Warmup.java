package labsh.shell;

import java.util.Set;
import labsh.dsl.LabCompiler;

/**
 * The prompt comes before Groovy is loaded: loading Groovy's runtime and compiler and the DSL takes
 * about a second on these machines, so it happens on a background thread right after the first
 * prompt, by compiling one throwaway line, while the user types the first one.
 */
final class Warmup {
    private static volatile Set<String> words = Set.of();

    private Warmup() {}

    static void start(Evaluator evaluator) {
        Thread t = new Thread(() -> {
            try {
                words = LabCompiler.words();
                // a line through the same compiler as the user's: Groovy's classes are then loaded and warm
                evaluator.binding();
                new LineCompiler(new groovy.lang.Binding()).compile("def warm = 1", "labsh_warmup.groovy", "warm-up");
            } catch (RuntimeException | LinkageError e) {
                // the user's first line will then load Groovy itself, and report any error
            }
        }, "labsh-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** The DSL words once loaded (empty before: highlighting must not wait for Groovy). */
    static Set<String> wordsIfLoaded() { return words; }
}
