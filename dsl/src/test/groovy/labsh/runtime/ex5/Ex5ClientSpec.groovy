package labsh.runtime.ex5

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import labsh.kernel.Privilege
import labsh.kernel.SysvIpcTable
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.TempDir

// The ledger lives under /run/labsh (root's); SysV segments are made with 0666.
@Requires({ Privilege.isRoot() })
class Ex5ClientSpec extends Specification {
    @TempDir Path info
    @TempDir Path keys

    Set<Integer> segmentsBefore

    def setup() {
        segmentsBefore = SysvIpcTable.sharedMemory()*.id as Set
    }

    def cleanup() {
        assert (SysvIpcTable.sharedMemory()*.id as Set) - segmentsBefore == [] as Set: 'a test leaked a segment'
    }

    private Ex5Server.Setup serverSetup(String name, int projId) {
        def key = keys.resolve('key')
        if (!Files.exists(key)) Files.createFile(key)
        new Ex5Server.Setup(info, name, '127.0.0.1', 0, key.toString(), projId)
    }

    def "a server on the host is reached by shm and socket: Host, both messages, shm first"() {
        given:
        def s = Ex5Server.startInBackground(serverSetup('a', 1), 'the_shm', 'the_socket', Duration.ofSeconds(10))

        when:
        def report = new Ex5Client().scan(info)
        s.awaitDone(Duration.ofSeconds(10))

        then:
        report.format() == 'Total Servers: 1\nHost: 1\nContainer: 0\nVM: 0\nMessages: the_shm the_socket\n'

        and: 'the server removed its segment and info file (kernel view: /proc/sysvipc/shm)'
        !Files.exists(info.resolve('a'))

        cleanup:
        s?.close()
    }

    def "socket reachable but no segment in this IPC namespace: Container"() {
        given: 'a listening socket whose info file names a segment that does not exist here'
        def listener = new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1'))
        Files.createFile(keys.resolve('k'))
        new InfoFile('127.0.0.1', listener.localPort, keys.resolve('k').toString(), 99).write(info, 'c')
        def served = Thread.start { listener.accept().withCloseable { it.outputStream.write('sock_only'.bytes) } }

        when:
        def report = new Ex5Client().scan(info)

        then:
        report.container == 1
        report.messages == ['sock_only']

        cleanup:
        served?.join(5000)
        listener?.close()
    }

    def "neither reachable: VM — and 100 such servers are all classified in one scan"() {
        given: 'ports on 127.0.0.1 where nothing listens (refused at once; no traffic leaves the machine)'
        def ports = (1..n).collect { new ServerSocket(0).withCloseable { it.localPort } }
        ports.eachWithIndex { p, i -> new InfoFile('127.0.0.1', p, '/nonexistent/key', 1).write(info, String.format('s%03d', i)) }

        when:
        def report = new Ex5Client(Duration.ofSeconds(2), Duration.ofSeconds(2)).scan(info)

        then:
        report.total == n
        report.vm == n
        report.messages.isEmpty()

        where:
        n << [1, 100]
    }

    def "malformed info files are reported one line each and not counted; good ones still are"() {
        given:
        Files.writeString(info.resolve('bad_port'), '127.0.0.1\n70000\n/x\n1\n')
        Files.writeString(info.resolve('empty'), '')
        Files.createDirectory(info.resolve('dir'))
        def port = new ServerSocket(0).withCloseable { it.localPort }
        new InfoFile('127.0.0.1', port, '/nonexistent', 1).write(info, 'good')

        when:
        def report = new Ex5Client(Duration.ofSeconds(2), Duration.ofSeconds(2)).scan(info)

        then:
        report.total == 1
        report.problems().size() == 3
        report.problems().every { !it.contains('\n') }
        report.problems().any { it.startsWith('bad_port: ') && it.contains('70000') }
    }

    def "a server with no client shuts down after its accept timeout: segment and info file gone"() {
        given:
        def s = Ex5Server.startInBackground(serverSetup('lonely', 2), 'm', 'n', Duration.ofMillis(300))
        def id = s.shmid()

        expect: 'while it waits, the kernel lists its segment'
        SysvIpcTable.sharedMemory()*.id.contains(id)

        when:
        s.awaitDone(Duration.ofSeconds(5))

        then:
        !SysvIpcTable.sharedMemory()*.id.contains(id)
        !Files.exists(info.resolve('lonely'))
    }

    def "a server whose segment cannot be created frees what it made and says why"() {
        when: 'ftok of a path that does not exist'
        new Ex5Server(new Ex5Server.Setup(info, 'x', '127.0.0.1', 0, '/no/such/path', 1)).run('a', 'b', Duration.ofMillis(100))

        then:
        def e = thrown(RuntimeException)
        e.message.contains('ftok("/no/such/path", 1)')
        e.message.contains('ENOENT')
        !Files.exists(info.resolve('x'))
    }
}
