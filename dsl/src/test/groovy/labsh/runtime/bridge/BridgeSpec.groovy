package labsh.runtime.bridge

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import labsh.kernel.MountInfo
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import labsh.kernel.Privilege
import labsh.kernel.SysvIpcTable
import labsh.runtime.JoinedThread
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/**
 * The bridge between two real containers (native stage: own ipc, mnt, pid, uts namespaces),
 * seed 000 (client on queues, server on files), checked against the kernel's view.
 */
// Containers need CAP_SYS_ADMIN, joining their namespaces too (setns(2)): root.
@Requires({ Privilege.isRoot() })
class BridgeSpec extends Specification {
    static final Duration WAIT = Duration.ofSeconds(10)
    static final int KEY_5566 = 5566, KEY_7788 = 7788

    EchoRole server, client
    Bridge bridge
    List<String> reports = [].asSynchronized()

    def setup() {
        def protocol = BridgeProtocol.seed('/unused')
        server = EchoRole.start(EchoRole.Kind.FILE_SERVER, protocol, 'bridge-server')
        client = EchoRole.start(EchoRole.Kind.QUEUE_CLIENT, protocol, 'bridge-client')
    }

    def cleanup() {
        bridge?.close()
        client?.close()
        server?.close()
    }

    Bridge startBridge() {
        bridge = Bridge.start(BridgeProtocol.seed(server.dir().toString()), client.pid(), server.pid(), Bridge.ClientSide.IPC, { reports << it })
    }

    /** The keys of the queues in {@code pid}'s IPC namespace, from /proc/sysvipc/msg read on a thread joined to it. */
    static Set<Integer> queueKeysIn(int pid) {
        JoinedThread t = JoinedThread.join('look-' + pid, pid, NsType.IPC)
        try {
            return t.call { SysvIpcTable.messageQueues()*.key() as Set<Integer> }
        } finally {
            t.close()
        }
    }

    static Set<Integer> hostQueueKeys() { SysvIpcTable.messageQueues()*.key() as Set<Integer> }

    static long inode(String link) { Files.readSymbolicLink(Path.of(link)).toString().find(/\d+/) as long }

    def "the roles run in containers of their own, and the server's directory is a tmpfs only in its mount namespace"() {
        expect: 'own ipc and mnt namespaces, from /proc/PID/ns'
        def host = Namespaces.of(ProcessHandle.current().pid() as int)
        [client.pid(), server.pid()].every { Namespaces.of(it)[NsType.IPC] != host[NsType.IPC] && Namespaces.of(it)[NsType.MNT] != host[NsType.MNT] }
        Namespaces.of(client.pid())[NsType.IPC] != Namespaces.of(server.pid())[NsType.IPC]

        and: "the server's mountinfo has a tmpfs on its directory; the host's has none there"
        MountInfo.at(MountInfo.of(server.pid()), server.dir().toString())?.fsType() == 'tmpfs'
        MountInfo.ofThisThread().every { it.mountPoint() != server.dir().toString() }

        and: "the client made the seed's queues in its own IPC namespace, not on the host"
        queueKeysIn(client.pid()).containsAll([KEY_5566, KEY_7788])
        !hostQueueKeys().contains(KEY_5566) && !hostQueueKeys().contains(KEY_7788)
        !queueKeysIn(server.pid()).contains(KEY_5566)
    }

    def "the bridge's side threads are in the client's IPC namespace or the server's mount namespace, its relay thread in both"() {
        when:
        startBridge()
        String me = "/proc/${ProcessHandle.current().pid()}/task"

        then:
        inode("${me}/${bridge.ipcThreadId()}/ns/ipc") == Namespaces.of(client.pid())[NsType.IPC]
        inode("${me}/${bridge.mntThreadId()}/ns/mnt") == Namespaces.of(server.pid())[NsType.MNT]
        inode("${me}/${bridge.ipcThreadId()}/ns/mnt") != Namespaces.of(server.pid())[NsType.MNT]
        inode("${me}/${bridge.mntThreadId()}/ns/ipc") != Namespaces.of(client.pid())[NsType.IPC]

        and: 'the relay thread is in both, as the one-process C bridge is'
        inode("${me}/${bridge.relayThreadId()}/ns/ipc") == Namespaces.of(client.pid())[NsType.IPC]
        inode("${me}/${bridge.relayThreadId()}/ns/mnt") == Namespaces.of(server.pid())[NsType.MNT]
    }

    def "a line typed into the client comes back through queues, the bridge, files and the server"() {
        given:
        startBridge()

        expect:
        client.type('This is the first sentence', WAIT) == ['This is the first sentence']
        client.type('second', WAIT) == ['second']
        bridge.relayed() == 2
    }

    def "a message in flight is a file in the server's mount namespace only"() {
        given: 'the server frozen, so the message waits in its directory'
        startBridge()
        server.freeze()
        def inside = Path.of("/proc/${server.pid()}/root${server.dir()}/message")

        when:
        client.send('in flight')
        FileWait.until(inside, WAIT)

        then: 'seen through /proc/PID/root (the server mount namespace), absent from the host directory'
        Files.readString(inside) == 'in flight'
        !Files.exists(server.dir().resolve('message'))
        Files.list(server.dir()).withCloseable { it.count() } == 0

        when:
        server.thaw()

        then:
        client.awaitEcho(WAIT) == 'in flight'
    }

    def "1000 messages of 0 to 255 bytes, with non-ASCII UTF-8, come back in order, none lost or doubled"() {
        given:
        startBridge()
        def random = new Random(5566)
        def alphabet = ('a'..'z') + ('A'..'Z') + ['é', 'ß', '中', '文', '€', '😀', ' ', '.', '!']
        List<String> lines = (0..<1000).collect { i ->
            if (i % 97 == 0) return ''
            int bytes = 1 + random.nextInt(255)
            StringBuilder sb = new StringBuilder("${i}:")
            while (true) {
                String c = alphabet[random.nextInt(alphabet.size())]
                if ((sb.toString() + c).getBytes('UTF-8').length > bytes) break
                sb.append(c)
            }
            sb.toString()
        }

        when:
        List<String> echoes = lines.collectMany { client.type(it, WAIT) }

        then:
        lines.every { it.getBytes('UTF-8').length <= 255 }
        lines.count { it.isEmpty() } == 11
        lines.any { it.getBytes('UTF-8').length > 250 }
        echoes == lines
        bridge.relayed() == 1000
    }

    def "a line of 256 bytes or more is split by the 256-byte rule: pieces of at most 255 bytes, cut between characters"() {
        given:
        startBridge()
        String line = 'a' + '€' * 100 // 301 bytes

        when:
        List<String> echoes = client.type(line, WAIT)

        then:
        echoes == ['a' + '€' * 84, '€' * 16]
        echoes.join('') == line
    }

    def "killing the server mid-stream: the bridge says so in one line, and nothing is left"() {
        given:
        startBridge()
        client.type('before', WAIT)
        int serverPid = server.pid()
        long mntns = Namespaces.of(serverPid)[NsType.MNT]

        when: 'the server is frozen with a message in flight, then killed'
        server.freeze()
        client.send('lost in flight')
        FileWait.until(Path.of("/proc/${serverPid}/root${server.dir()}/message"), WAIT)
        server.killProgram()
        bridge.awaitStop(WAIT)
        bridge.close() // its threads end

        then: 'the reason is the one the bridge reported'
        reports == ["bridge stopped: the server (pid ${serverPid}) exited after 1 messages; its queues are removed".toString()]
        bridge.stopReason() == "the server (pid ${serverPid}) exited".toString()

        and: "the client learns it (its msgrcv failed with EIDRM) and ends"
        client.process().waitFor() != 0

        and: 'no thread of labsh is left in the dead server mount namespace, so it and its tmpfs are gone'
        // Thread.join returns when the Java thread is done; the kernel drops its task a moment later
        threadsIn(mntns, Duration.ofSeconds(10)) == 0
    }

    /** How many of this JVM's threads are in mount namespace {@code mntns}, once none is or {@code within} has passed. */
    private static int threadsIn(long mntns, Duration within) {
        long deadline = System.nanoTime() + within.toNanos()
        for (;;) {
            int n = Files.list(Path.of("/proc/${ProcessHandle.current().pid()}/task")).withCloseable { s ->
                (int) s.filter { t -> Files.exists(t.resolve('ns/mnt')) && inode(t.resolve('ns/mnt').toString()) == mntns }.count()
            }
            if (n == 0 || System.nanoTime() > deadline) return n
            Thread.sleep(50)
        }
    }
}
