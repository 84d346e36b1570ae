package labsh.runtime.ex5

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.TimeUnit
import labsh.kernel.Privilege
import labsh.kernel.SysvIpcTable
import labsh.runtime.CPrograms
import spock.lang.Requires
import spock.lang.Specification
import spock.lang.TempDir

/**
 * labsh's server and client against the seed's API written in C (labs/c/ex5): the same info file,
 * the same 4096-byte segment with a NUL-terminated message at offset 0, the same raw socket bytes.
 */
// Root: the ledger under /run/labsh, and CPrograms builds into it.
@Requires({ Privilege.isRoot() })
class WireCompatibilitySpec extends Specification {
    @TempDir Path info
    @TempDir Path keys

    def "labsh's client counts a C server: Host, with its messages"() {
        given:
        Path key = Files.createFile(keys.resolve('key'))
        int port = new ServerSocket(0).withCloseable { it.localPort }
        def pb = new ProcessBuilder(CPrograms.ex5().resolve('ex5-server').toString(), info.toString(), 'c_server',
                "$port", key.toString(), '21', 'c_shm', 'c_socket')
        pb.environment().EX5_ACCEPT_TIMEOUT = '10'
        Process server = pb.redirectErrorStream(true).start()
        waitFor(info.resolve('c_server'), server)

        when:
        def report = new Ex5Client().scan(info)

        then:
        report.format() == 'Total Servers: 1\nHost: 1\nContainer: 0\nVM: 0\nMessages: c_shm c_socket\n'

        and: 'the C server shut down cleanly: exit 0, info file gone'
        server.waitFor(10, TimeUnit.SECONDS)
        server.exitValue() == 0
        !Files.exists(info.resolve('c_server'))

        cleanup:
        server?.destroyForcibly()
    }

    def "the C client counts a labsh server and prints the same report"() {
        given:
        Path key = Files.createFile(keys.resolve('key'))
        def before = SysvIpcTable.sharedMemory()*.id as Set
        def s = Ex5Server.startInBackground(new Ex5Server.Setup(info, 'java_server', 0, key.toString(), 22),
                'java_shm', 'java_socket', Duration.ofSeconds(10))

        when:
        Process client = new ProcessBuilder(CPrograms.ex5().resolve('ex5-client').toString(), info.toString())
                .redirectErrorStream(true).start()
        String out = client.inputStream.text
        client.waitFor(10, TimeUnit.SECONDS)
        s.awaitDone(Duration.ofSeconds(10))

        then:
        client.exitValue() == 0
        out == 'Total Servers: 1\nHost: 1\nContainer: 0\nVM: 0\nMessages: java_shm java_socket\n'
        (SysvIpcTable.sharedMemory()*.id as Set) - before == [] as Set

        cleanup:
        s?.close()
    }

    private static void waitFor(Path file, Process p) {
        // generous: once, on a loaded 2-core machine, the C server needed more than 10 s to get there
        long deadline = System.nanoTime() + 30_000_000_000L
        while (!Files.exists(file)) {
            assert p.alive && System.nanoTime() < deadline: "no info file ${file}: ${diagnosis(file, p)}"
            Thread.sleep(20)
        }
    }

    /** What the kernel says of the server and of this thread, for a failure that only a full run shows. */
    private static String diagnosis(Path file, Process p) {
        String pid = p.pid()
        def read = { String f -> try { Files.readString(Path.of(f)).trim() } catch (Exception e) { "(${e.class.simpleName})" } }
        def link = { String f -> try { Files.readSymbolicLink(Path.of(f)).toString() } catch (Exception e) { "(${e.class.simpleName})" } }
        "alive=${p.alive}, dir=${file.parent.toFile().list()}, server mnt=${link("/proc/${pid}/ns/mnt")}, " +
                "this thread's mnt=${link('/proc/thread-self/ns/mnt')}, server state=${read("/proc/${pid}/stat")}, " +
                "server cgroup=${read("/proc/${pid}/cgroup").readLines().take(3)}, server cwd=${link("/proc/${pid}/cwd")}, " +
                "this thread's root=${link('/proc/thread-self/root')}"
    }
}
