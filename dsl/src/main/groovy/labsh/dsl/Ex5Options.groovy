package labsh.dsl

/** Checks of the ex5 words' arguments, each failing with one sentence that names the option. */
class Ex5Options {
    static int port(Object v) {
        Integer p = v instanceof Number ? ((Number) v).intValue() : (v?.toString()?.isInteger() ? v.toString().toInteger() : null)
        if (p == null || p < 1 || p > 65535) throw new LabException("port: ${v} is not a TCP port (1 to 65535)")
        p
    }

    static int projId(Object v) {
        Integer p = v instanceof Number ? ((Number) v).intValue() : (v?.toString()?.isInteger() ? v.toString().toInteger() : null)
        // ftok(3) uses the low 8 bits, and 0 is reserved
        if (p == null || p < 1 || p > 255) throw new LabException("projId: ${v} must be 1 to 255 (ftok uses its low 8 bits)")
        p
    }

    /** The seed's messages contain no spaces (and the VM's travel on the kernel command line). */
    static String word(String option, Object v) {
        String s = v?.toString()
        if (!s || s.any { Character.isWhitespace(it as char) }) throw new LabException("${option}: '${v}' must be one word without spaces, as the seed assumes")
        if (s.getBytes('UTF-8').length >= 4096) throw new LabException("${option}: longer than the 4096-byte segment")
        s
    }
}
