package labsh.runtime

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

class CleanerSpec extends Specification {
    Path state = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'state')
    Path ledgers = Files.createDirectories(state.resolve('ledgers'))
    List<Process> started = []

    def cleanup() {
        started.each { it.destroyForcibly(); it.waitFor(5, TimeUnit.SECONDS) }
        state.toFile().deleteDir()
    }

    private Process sleeper() {
        Process p = new ProcessBuilder('sleep', '300').start()
        started << p
        p
    }

    /** A pid that names no running process now: a `true` we started and reaped. */
    private static int deadPid() {
        Process p = new ProcessBuilder('true').start()
        p.waitFor()
        (int) p.pid()
    }

    private Path ledger(String name, String text) {
        Path l = ledgers.resolve(name)
        Files.writeString(l, text)
        l
    }

    def "the ledger of a killed labsh is cleaned: processes, files and dirs, newest first"() {
        given:
        Path dir = Files.createDirectories(state.resolve('lab dir'))
        Path file = Files.writeString(dir.resolve('info'), 'x')
        Process sleep = sleeper()
        long start = ProcFs.startTime((int) sleep.pid())
        Path l = ledger("${deadPid()}-1.ledger",
                "1 + dir path=${Ledger.escape(dir.toString())}\n" +
                "2 + file path=${Ledger.escape(file.toString())}\n" +
                "3 + process cmd=sleep\n" +
                "3 = pid=${sleep.pid()} start=${start}\n" +
                "4 + file path=${Ledger.escape(state.resolve('already-removed').toString())}\n" +
                "4 -\n")

        when:
        Cleaner.Report r = Cleaner.clean(ledgers)

        then:
        r.ok()
        r.removed == ["removed process cmd=sleep pid=${sleep.pid()} start=${start}".toString(),
                      "removed file path=${Ledger.escape(file.toString())}".toString(),
                      "removed dir path=${Ledger.escape(dir.toString())}".toString()]
        sleep.waitFor(5, TimeUnit.SECONDS)
        !Files.exists(Path.of("/proc/${sleep.pid()}"))
        !Files.exists(file)
        !Files.exists(dir)
        !Files.exists(l)
    }

    def "the ledger of a labsh that still runs is left alone, with a line naming its pid"() {
        given:
        Process owner = sleeper()
        int pid = (int) owner.pid()
        Path file = Files.writeString(state.resolve('owned'), 'x')
        Path l = ledger("${pid}-${ProcFs.startTime(pid)}.ledger", "1 + file path=${file}\n")

        when:
        Cleaner.Report r = Cleaner.clean(ledgers)

        then:
        r.removed.isEmpty()
        r.leftAlone.size() == 1
        r.leftAlone[0].contains("labsh pid ${pid} is still running")
        Files.exists(file)
        Files.exists(l)
    }

    def "a process whose pid was reused by another process is not killed"() {
        given:
        Process other = sleeper()
        int pid = (int) other.pid()
        long wrongStart = ProcFs.startTime(pid) - 1
        Path l = ledger("${deadPid()}-1.ledger", "1 + process\n1 = pid=${pid} start=${wrongStart}\n")

        when:
        Cleaner.Report r = Cleaner.clean(ledgers)

        then:
        r.ok()
        other.alive
        Files.readString(Path.of("/proc/${pid}/stat")).contains('(sleep)')
        !Files.exists(l)
    }

    def "lines cut short by kill -9 are tolerated and never read as whole values"() {
        given:
        Path done = Files.writeString(state.resolve('done'), 'x')
        Path neverMade = Files.writeString(state.resolve('never-made'), 'not labsh\'s')
        Process sleep = sleeper()
        long start = ProcFs.startTime((int) sleep.pid())
        // the process entry's "=" line is cut after two digits of the pid: it must not be used
        String cutPid = sleep.pid().toString().take(2)
        Path l = ledger("${deadPid()}-1.ledger",
                "1 + file path=${done}\n" +
                "garbage without a sequence number\n" +
                "2 + process\n" +
                "2 = pid=${cutPid}")
        // a "+" line without its newline: recorded before creating, so the object was never made
        Path l2 = ledger("${deadPid()}-2.ledger", "1 + file path=${neverMade}")

        when:
        Cleaner.Report r = Cleaner.clean(ledgers)

        then:
        r.ok()
        !Files.exists(done)
        sleep.alive                   // pid known only from the cut line: nothing killed
        ProcFs.isSameProcess((int) sleep.pid(), start)
        Files.exists(neverMade)       // named only by a cut line: left alone
        !Files.exists(l)
        !Files.exists(l2)
    }
}
