package labsh.dsl

/** What a probe between two containers found: a ping, or a TCP echo. */
class NetProbe {
    Container from, to
    /** The address it aimed at. */
    String address
    /** The exit status of the probing command inside {@code from}. */
    int status
    /** What the command printed (ping's lines; the echo's reply). */
    String output

    boolean isOk() { status == 0 }

    String toString() { "${from.name} -> ${to.name} (${address}): ${ok ? 'ok' : 'failed, status ' + status}" }
}
