package labsh.runtime.bridge

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import labsh.kernel.Privilege
import spock.lang.Requires
import spock.lang.Specification

/**
 * Seed 001 (client on files, server on queues) through the bridge, and the ways a bridge stops by
 * itself: a peer exits, or the file side's directory vanishes.
 */
// Containers need CAP_SYS_ADMIN, joining their namespaces too (setns(2)): root.
@Requires({ Privilege.isRoot() })
class BridgeReversedSpec extends Specification {
    static final Duration WAIT = Duration.ofSeconds(10)

    EchoRole server, client
    Bridge bridge
    List<String> reports = [].asSynchronized()

    def cleanup() {
        bridge?.close()
        client?.close()
        server?.close()
    }

    def "seed 001: lines typed into the client on files come back from the server on queues"() {
        given:
        start()

        expect:
        client.type('hello', WAIT) == ['hello']
        client.type('', WAIT) == ['']
        client.type('Grüße 😀', WAIT) == ['Grüße 😀']
    }

    def "seed 001: a file of 600 bytes goes to the server as three pieces and comes back whole"() {
        given:
        start()
        String line = 'é' * 300 // 600 bytes

        expect:
        client.type(line, WAIT) == [line]
        bridge.relayed() == 1
    }

    def "seed 001: killing the server mid-stream stops the bridge with one line naming it"() {
        given:
        start()
        client.type('before', WAIT)
        int serverPid = server.pid()

        when: 'the server dies while the bridge waits for its reply'
        server.freeze()
        client.send('never answered')
        server.killProgram()
        bridge.awaitStop(WAIT)
        bridge.close()

        then:
        reports == ["bridge stopped: the server (pid ${serverPid}) exited after 1 messages; its queues are removed".toString()]
    }

    def "the file side's directory removed under the bridge stops it with one line naming the directory"() {
        given: 'a bridge on a subdirectory of the server tmpfs'
        server = EchoRole.start(EchoRole.Kind.FILE_SERVER, BridgeProtocol.seed('/'), 'bridge-server')
        client = EchoRole.start(EchoRole.Kind.QUEUE_CLIENT, BridgeProtocol.seed('/'), 'bridge-client')
        Path inside = Path.of("/proc/${server.pid()}/root${server.dir()}/sub")
        Files.createDirectory(inside)
        String sub = server.dir().resolve('sub').toString()
        bridge = Bridge.start(BridgeProtocol.seed(sub), client.pid(), server.pid(), Bridge.ClientSide.IPC, { reports << it })

        when: 'it is removed in the server mount namespace (the kernel sends IN_DELETE_SELF, then IN_IGNORED)'
        Files.delete(inside)
        bridge.awaitStop(WAIT)
        bridge.close()

        then:
        reports == ["bridge stopped: the directory ${sub} vanished (IN_DELETE_SELF) after 0 messages; its queues are removed".toString()]
    }

    def "a pid that names no process is refused before anything is joined"() {
        when:
        Bridge.start(BridgeProtocol.seed('/'), 999999, 999999, Bridge.ClientSide.IPC, null)

        then:
        labsh.kernel.KernelException e = thrown()
        e.message.contains('pidfd_open(999999, 0)')
        e.message.contains('ESRCH')
    }

    private void start() {
        server = EchoRole.start(EchoRole.Kind.QUEUE_SERVER, BridgeProtocol.seed('/'), 'bridge-server')
        client = EchoRole.start(EchoRole.Kind.FILE_CLIENT, BridgeProtocol.seed('/'), 'bridge-client')
        bridge = Bridge.start(BridgeProtocol.seed(client.dir().toString()), server.pid(), client.pid(), Bridge.ClientSide.MNT, { reports << it })
    }
}
