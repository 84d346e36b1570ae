package labsh.dsl

import groovy.transform.CompileStatic

/** "did you mean" for a mistyped name, by edit distance (transpositions count as one edit). */
@CompileStatic
final class Suggest {
    private Suggest() {}

    /** The closest of {@code candidates} to {@code typed}, or null when none is close enough. */
    static String closest(String typed, Collection<String> candidates) {
        String best = null
        int bestDistance = Integer.MAX_VALUE
        for (String c : candidates) {
            if (c == typed) continue
            int d = distance(typed.toLowerCase(), c.toLowerCase())
            if (d < bestDistance || (d == bestDistance && best != null && c < best)) {
                best = c
                bestDistance = d
            }
        }
        // allow about one edit per three letters: 'contianer' -> 'container', but 'x' -/-> 'vm'
        int allowed = typed.length() <= 3 ? 1 : typed.length() <= 6 ? 2 : 3
        bestDistance <= allowed ? best : null
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1]
        for (int i = 0; i <= a.length(); i++) d[i][0] = i
        for (int j = 0; j <= b.length(); j++) d[0][j] = j
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost)
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        d[a.length()][b.length()]
    }
}
