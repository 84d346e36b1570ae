package labsh.dsl

/** Checks of the ex5 words' arguments, each failing with one sentence that names the option. */
class Ex5Options {
    static int port(Object v) {
        Integer p = integer(v)
        if (p == null || p < 1 || p > 65535) throw new LabException("port: ${v} is not a TCP port (1 to 65535)")
        p
    }

    static int projId(Object v) {
        Integer p = integer(v)
        // ftok(3) uses the low 8 bits, and 0 is reserved
        if (p == null || p < 1 || p > 255) throw new LabException("projId: ${v} must be 1 to 255 (ftok uses its low 8 bits)")
        p
    }

    /**
     * A whole number that fits an int, else null: 5101.5 is not a port, 2^32 + 5101 must not wrap
     * to 5101, and a string counts only in ASCII digits (Integer.parseInt reads '٥١٠١' too).
     */
    private static Integer integer(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof BigInteger) {
            BigInteger b = v as BigInteger
            return b.bitLength() < 32 ? b.intValue() : null
        }
        String s = v instanceof CharSequence ? v.toString().trim() : null
        s != null && s ==~ /[0-9]{1,9}/ ? s.toInteger() : null
    }

    /** A file name in a directory: not empty, no '/', not '.' or '..', no NUL (open(2) would stop there). */
    static String fileName(String option, String s) {
        if (s in ['.', '..'] || s.contains('/') || s.contains('\u0000')) {
            throw new LabException("${option}: '${s.replace('\u0000', '\\0')}' must be a file name, without '/' and not '.' or '..'")
        }
        s
    }

    /** The seed's messages contain no spaces (and the VM's travel on the kernel command line). */
    static String word(String option, Object v) {
        String s = v?.toString()
        if (!s || s.any { Character.isWhitespace(it as char) }) throw new LabException("${option}: '${v}' must be one word without spaces, as the seed assumes")
        if (s.getBytes('UTF-8').length >= 4096) throw new LabException("${option}: longer than the 4096-byte segment")
        s
    }
}
