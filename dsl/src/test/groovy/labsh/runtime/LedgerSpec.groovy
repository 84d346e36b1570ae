package labsh.runtime

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

class LedgerSpec extends Specification {
    @TempDir Path dir

    def "an entry is on disk before the object exists, and closed once removed"() {
        given:
        def ledger = new Ledger(dir.resolve('ledgers/1-1.ledger'))
        def file = dir.resolve('info file')

        when:
        def e = ledger.intend('file', 'path', file.toString())

        then: 'the intent is written before anything is created'
        Files.readAllLines(ledger.file()) == ["1 + file path=${file.toString().replace(' ', '%20')}".toString()]

        when:
        Files.writeString(file, 'x')
        e.created('size', '1')
        e.removed()

        then:
        Files.readAllLines(ledger.file()).drop(1) == ['1 = size=1', '1 -']
        ledger.openEntries().isEmpty()
    }

    def "unwind removes what is still open, newest first, and deletes the ledger"() {
        given:
        def ledger = new Ledger(dir.resolve('ledgers/2-1.ledger'))
        def d = dir.resolve('lab dir')
        ledger.intend('dir', 'path', d.toString())
        Files.createDirectories(d)
        def f = d.resolve('info')
        ledger.intend('file', 'path', f.toString())
        Files.writeString(f, '127.0.0.1\n1234\n')

        when:
        def failures = ledger.unwind()

        then: 'the file went before its directory, so removal of both succeeded'
        failures.isEmpty()
        !Files.exists(f)
        !Files.exists(d)
        !Files.exists(ledger.file())
    }

    def "a process entry is killed only while its pid still names the process labsh started"() {
        given:
        def ledger = new Ledger(dir.resolve('ledgers/3-1.ledger'))
        def p = new ProcessBuilder('sleep', '1000').start()
        int pid = p.pid()
        ledger.intend('process', 'pid', "$pid", 'start', "${ProcFs.startTime(pid) + 1}")
        def real = ledger.intend('process', 'pid', "$pid", 'start', "${ProcFs.startTime(pid)}")

        when: 'the first entry claims a different start time: a recycled pid'
        Removers.remove('process', ledger.openEntries()[0].fields())

        then:
        p.alive

        when:
        Removers.remove('process', real.fields())

        then:
        !p.alive

        cleanup:
        p.destroyForcibly()
    }

    def "an unknown kind is refused rather than ignored"() {
        when:
        Removers.remove('teleporter', [:])

        then:
        def e = thrown(IllegalStateException)
        e.message.contains("no remover for ledger kind 'teleporter'")
    }

    def "only STATE/ledgers is made private: a shared (sticky) directory and a ledger's other directories keep their modes"() {
        given: 'a shared directory like /tmp (1777) holding a state layout, and a plain directory holding a loose ledger'
        Path shared = Files.createDirectories(dir.resolve('shared'))
        Files.setAttribute(shared, 'unix:mode', 01777)
        Path plain = Files.createDirectories(dir.resolve('plain/sub'))
        Files.setAttribute(plain, 'unix:mode', 0755)
        Files.setAttribute(plain.parent, 'unix:mode', 0755)

        when:
        new Ledger(shared.resolve('ledgers/1-1.ledger')).intend('file', 'path', '/x').removed()
        new Ledger(plain.resolve('2-1.ledger')).intend('file', 'path', '/y').removed()

        then: 'stat(2): the ledger directory is 0700, the shared and plain ones are as they were'
        ((Files.getAttribute(shared.resolve('ledgers'), 'unix:mode') as int) & 07777) == 0700
        ((Files.getAttribute(shared, 'unix:mode') as int) & 07777) == 01777
        ((Files.getAttribute(plain, 'unix:mode') as int) & 07777) == 0755
        ((Files.getAttribute(plain.parent, 'unix:mode') as int) & 07777) == 0755
    }
}
