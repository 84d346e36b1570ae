package labsh.runtime.ex5

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import labsh.kernel.SysvIpcTable
import labsh.runtime.Ledger
import spock.lang.Specification
import spock.lang.TempDir

/**
 * Load: 100 answering ex5 servers at once (seed 002's Java server, each with its socket, its
 * segment and its info file), scanned by one client: every server is found on the host with both
 * of its own messages, none is mixed up with another, and when they shut down no segment (the
 * kernel's /proc/sysvipc/shm), info file or ledger entry is left. bench/ex5-scan times the same
 * scan against unanswering servers; this checks it is right.
 */
class LoadHundredServersSpec extends Specification {
    static final int SERVERS = 100

    @TempDir Path dir

    def "100 servers at once are all found, each with its own two messages, and leave nothing"() {
        given:
        Path info = Files.createDirectory(dir.resolve('info'))
        Path key = Files.createFile(dir.resolve('shm key ✓'))
        Set<Integer> segmentsBefore = SysvIpcTable.sharedMemory()*.id as Set
        List<Ex5Server> servers = (1..SERVERS).collect { int i ->
            // port 0: the kernel picks a free one, and the info file holds the real one
            Ex5Server.startInBackground(new Ex5Server.Setup(info, "server_${i}", 0, key.toString(), i),
                    "shm_${i}", "socket_${i}", Duration.ofSeconds(60))
        }

        expect: 'the kernel lists one segment per server'
        (SysvIpcTable.sharedMemory()*.id as Set) - segmentsBefore == servers*.shmid() as Set
        Files.list(info).count() == SERVERS

        when:
        ScanReport report = new Ex5Client().scan(info)
        servers.each { it.awaitDone(Duration.ofSeconds(30)) }

        then:
        report.problems.isEmpty()
        report.total == SERVERS
        report.host == SERVERS
        report.servers.every { ScanReport.Found f ->
            String i = f.file() - 'server_'
            f.environment() == ScanReport.Environment.HOST && f.shmMessage() == "shm_${i}" && f.socketMessage() == "socket_${i}"
        }
        report.servers*.file() as Set == (1..SERVERS).collect { "server_${it}".toString() } as Set

        and: 'nothing is left'
        (SysvIpcTable.sharedMemory()*.id as Set).intersect(servers*.shmid() as Set).isEmpty()
        SysvIpcTable.sharedMemory()*.key.intersect((1..SERVERS).collect { labsh.kernel.SharedMemory.ftok(key.toString(), it) }).isEmpty()
        Files.list(info).count() == 0
        Ledger.current().openEntries().every { !it.fields().values().any { v -> v.startsWith(info.toString()) } }

        cleanup:
        servers?.each { it.shutdown() }
    }
}
