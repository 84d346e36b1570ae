package labsh.runtime.puzzle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One mount(8) command line of the puzzle, as a student writes it ({@code --bind /smt /smt},
 * {@code mount --move /tmp /smt/1}): the option and its one or two paths. Only the options that
 * mount_namespaces(7) discusses are known; anything else is refused with one line.
 */
public record MountCommand(String option, String source, String target) {
    /** The options the puzzle knows, each with how many paths it takes. */
    public static final List<String> OPTIONS = List.of("--bind", "--rbind", "--move", "--make-shared", "--make-private",
            "--make-slave", "--make-unbindable", "--make-rshared", "--make-rprivate", "--make-rslave");

    /** Parses {@code [mount] OPTION PATH [PATH]}; an unknown option or a wrong count of paths is an IllegalArgumentException. */
    public static MountCommand parse(String line) {
        List<String> words = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
        if (!words.isEmpty() && words.get(0).equals("mount")) words.remove(0);
        if (words.isEmpty() || words.get(0).isEmpty()) throw new IllegalArgumentException("mount: no option given (one of " + String.join(", ", OPTIONS) + ")");
        String option = words.get(0);
        if (!OPTIONS.contains(option)) {
            throw new IllegalArgumentException("mount: unknown option " + option + " (the puzzle knows " + String.join(", ", OPTIONS) + ")");
        }
        int paths = takesTwoPaths(option) ? 2 : 1;
        if (words.size() - 1 != paths) {
            throw new IllegalArgumentException("mount " + option + " takes " + paths + (paths == 1 ? " path" : " paths (source, target)")
                    + ", got " + (words.size() - 1));
        }
        return paths == 2 ? new MountCommand(option, words.get(1), words.get(2)) : new MountCommand(option, null, words.get(1));
    }

    static boolean takesTwoPaths(String option) {
        return option.equals("--bind") || option.equals("--rbind") || option.equals("--move");
    }

    @Override
    public String toString() {
        return "mount " + option + (source != null ? " " + source : "") + " " + target;
    }
}
