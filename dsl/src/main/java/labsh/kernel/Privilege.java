package labsh.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Which privileges this process holds, so that a lab can say which one is missing before it starts. */
public final class Privilege {
    public static final int CAP_SYS_ADMIN = 21, CAP_NET_ADMIN = 12, CAP_SYS_PTRACE = 19, CAP_IPC_OWNER = 15;

    private Privilege() {}

    public static boolean isRoot() {
        return Libc.geteuid() == 0;
    }

    /** True when the effective capability set holds {@code cap} (CapEff in /proc/self/status). */
    public static boolean has(int cap) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long eff = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (eff & (1L << cap)) != 0;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // fall through: treat as not held
        }
        return false;
    }

    /**
     * Throws a one-line explanation when {@code cap} is missing, e.g. "creating namespaces needs
     * CAP_SYS_ADMIN (run labsh as root: sudo labsh ...)".
     */
    public static void require(int cap, String forWhat) {
        if (!has(cap)) {
            throw new PrivilegeException(forWhat + " needs " + capName(cap) + " (run labsh as root: sudo labsh ...)");
        }
    }

    public static String capName(int cap) {
        return switch (cap) {
            case CAP_SYS_ADMIN -> "CAP_SYS_ADMIN";
            case CAP_NET_ADMIN -> "CAP_NET_ADMIN";
            case CAP_SYS_PTRACE -> "CAP_SYS_PTRACE";
            case CAP_IPC_OWNER -> "CAP_IPC_OWNER";
            default -> "capability " + cap;
        };
    }

    /** A missing privilege: the command line prints the message alone, without a stack trace. */
    public static final class PrivilegeException extends RuntimeException {
        public PrivilegeException(String message) { super(message); }
    }
}
