package labsh.runtime.bridge

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/**
 * Load: 100 000 messages through the seed-000 bridge (queue client in one container, file server
 * in another, the relay on two joined threads), of 1 to 255 bytes with non-ASCII UTF-8, sent in
 * batches so the client's stdin is never the bottleneck: every one comes back, in order, none
 * lost or doubled, the bridge counts exactly 100 000, and after the close no process of the two
 * containers and no ledger entry is left. (The rate is bench/bridge's business, not this spec's.)
 */
// Containers and joining their namespaces (setns(2)) need root.
@Requires({ Privilege.isRoot() })
class LoadBridgeSpec extends Specification {
    static final int MESSAGES = 100_000, BATCH = 200
    static final Duration WAIT = Duration.ofSeconds(30)

    def "100 000 messages come back in order, none lost or doubled, and nothing is left"() {
        given:
        int openBefore = Ledger.current().openEntries().size()
        BridgeProtocol protocol = BridgeProtocol.seed('/unused')
        EchoRole server = EchoRole.start(EchoRole.Kind.FILE_SERVER, protocol, 'load-server')
        EchoRole client = EchoRole.start(EchoRole.Kind.QUEUE_CLIENT, protocol, 'load-client')
        List<Integer> pids = [server.pid(), client.pid()]
        Bridge bridge = Bridge.start(BridgeProtocol.seed(server.dir().toString()), client.pid(), server.pid(), Bridge.ClientSide.IPC, {})
        Random random = new Random(100_000)
        List<String> alphabet = ('a'..'z') + ['é', '中', '€', '😀', ' ']
        List<Integer> wrong = []

        when:
        for (int from = 0; from < MESSAGES; from += BATCH) {
            List<String> batch = (from..<Math.min(MESSAGES, from + BATCH)).collect { int i -> line(i, random, alphabet) }
            batch.each { client.send(it) }
            batch.eachWithIndex { String sent, int k -> if (client.awaitEcho(WAIT) != sent) wrong << from + k }
        }
        long relayed = bridge.relayed()
        bridge.close()
        client.close()
        server.close()

        then:
        wrong.isEmpty()
        relayed == MESSAGES

        and: 'nothing of the two containers is left'
        pids.every { !Files.exists(Path.of("/proc/${it}")) }
        Ledger.current().openEntries().size() == openBefore
    }

    /** Message i: "i:" and random characters, 1 to 255 bytes of UTF-8 (one piece under the 256-byte rule). */
    static String line(int i, Random random, List<String> alphabet) {
        int bytes = 1 + random.nextInt(255)
        StringBuilder sb = new StringBuilder("${i}:")
        while (true) {
            String c = alphabet[random.nextInt(alphabet.size())]
            if ((sb.toString() + c).getBytes(StandardCharsets.UTF_8).length > bytes) break
            sb.append(c)
        }
        sb.toString()
    }
}
