package labsh.dsl

import java.time.Duration

/**
 * An echo client of seed 000 (on queues) or 001 (on files), its stdin and stdout connected to
 * labsh: {@link #type} sends a line as a user would type it and returns what the client printed.
 */
class EchoClient extends EchoPeer {
    /** How long to wait for an echo before saying that nothing relays. */
    Duration timeout = Duration.ofSeconds(10)
    /** Where typed lines and echoes are shown (the lab's output), or null to show nothing. */
    PrintStream shown

    /**
     * Types {@code line} into the client and returns the echoes it printed: one line, or for a
     * client on queues and a line over 255 bytes, one per piece of the 256-byte rule.
     */
    List<String> type(String line) {
        shown?.println("   > ${line}")
        List<String> echoes = role.type(line, timeout)
        echoes.each { String e -> shown?.println("   < ${e}") }
        echoes
    }

    /** Types a line without waiting for its echo (see {@link #awaitEcho}). */
    void send(String line) {
        shown?.println("   > ${line}")
        role.send(line)
    }

    /** The next line the client prints. */
    String awaitEcho() {
        String e = role.awaitEcho(timeout)
        shown?.println("   < ${e}")
        e
    }
}
