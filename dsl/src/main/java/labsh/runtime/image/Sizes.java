package labsh.runtime.image;

/** Byte counts for people: exact bytes, then binary units as du -h prints them. */
public final class Sizes {
    private Sizes() {}

    /** 8392704 -> "8.0 MiB (8392704 B)". */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (u == 0 ? bytes + " B" : String.format("%.1f %s", v, units[u])) + (u == 0 ? "" : " (" + bytes + " B)");
    }
}
