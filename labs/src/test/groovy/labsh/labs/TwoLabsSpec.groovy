package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.cli.Main
import labsh.kernel.Privilege
import picocli.CommandLine
import spock.lang.Requires
import spock.lang.Specification

/**
 * Two labsh processes at once do not touch each other's objects: two labs run side by side both
 * pass and leave nothing; the same lab twice at once never breaks the run that got its fixed
 * resources first (the other stops with one clear line); and {@code labsh clean} while another
 * labsh runs leaves that run's ledger alone, and the run still passes. Every labs/*.groovy is
 * taken, with LABSH_VM=off (a VM boot adds seconds and nothing to what is checked here).
 */
// Namespaces, mounts and routes need root.
@Requires({ Privilege.isRoot() })
class TwoLabsSpec extends Specification {
    static final Path WORK = Path.of('target/two-labs').toAbsolutePath()
    static final Path STATE = Path.of("/run/labsh-two-labs-${ProcessHandle.current().pid()}")
    static final Map<String, String> ENV = [LABSH_STATE: STATE.toString(), LABSH_VM: 'off']

    static List<String> labs() { CrashSafetySpec.labs()*.fileName*.toString() }

    static List<String> labArgs(String lab) {
        [KernelView.REPO.resolve("labs/${lab}").toString()] + CrashSafetySpec.ARGS.getOrDefault(lab, [])
    }

    /** Neighbours in the sorted list of labs: every lab runs beside another one once. */
    static List<List<String>> pairs() {
        List<String> l = labs()
        if (l.size() < 2) return []
        (0..<(l.size() == 2 ? 1 : l.size())).collect { int i -> [l[i], l[(i + 1) % l.size()]] }
    }

    def cleanupSpec() {
        LabshChild.run(['clean'], ENV, WORK.resolve('final-clean.log'))
        STATE.toFile().deleteDir()
    }

    def "#a and #b at once: both pass, and nothing of either is left"() {
        given:
        Set<String> before = KernelView.snapshot(STATE)

        when:
        LabshChild first = LabshChild.start(labArgs(a), ENV, WORK.resolve("pair-${a}-${b}-1.log"))
        LabshChild second = LabshChild.start(labArgs(b), ENV, WORK.resolve("pair-${a}-${b}-2.log"))
        int s1 = first.waitFor(180), s2 = second.waitFor(180)

        then:
        assert s1 == 0: first.output()
        assert s2 == 0: second.output()
        KernelView.leakedAfterSettling(before, STATE) == [] as Set

        where:
        [a, b] << pairs()
    }

    def "#lab twice at once: the run that got the lab's fixed resources first passes untouched, the other stops with one clear line"() {
        given:
        Set<String> before = KernelView.snapshot(STATE)

        when:
        List<LabshChild> runs = (1..2).collect { LabshChild.start(labArgs(lab), ENV, WORK.resolve("twice-${lab}-${it}.log")) }
        List<Integer> status = runs.collect { it.waitFor(180) }
        println "${lab} twice at once: exit ${status}"

        then: 'one at least passes: the other, passing or failing, did not remove or change its objects'
        assert status.contains(0): runs*.output().join('\n----\n')

        and: 'a run that failed says why in one line (a fixed port, a fixed name), with no stack trace'
        runs.findAll { it.process.exitValue() != 0 }.every { LabshChild r ->
            String out = r.output()
            assert r.process.exitValue() == 1: out
            assert !(out =~ /(?m)^\s+at [\w.$]+\(/): "a stack trace:\n${out}"
            assert out.readLines().last() ==~ /.*${lab}:\d+: step \d+ '.*' failed: .+/: out
            true
        }

        and:
        KernelView.leakedAfterSettling(before, STATE) == [] as Set

        where:
        lab << labs()
    }

    def "labsh clean while #lab runs in another labsh: its ledger is left alone and the lab still passes"() {
        given:
        Set<String> before = KernelView.snapshot(STATE)

        when: 'the lab has recorded its first object'
        LabshChild run = LabshChild.start(labArgs(lab), ENV, WORK.resolve("clean-during-${lab}.log"))
        run.awaitLedger(STATE)
        Path ledger = run.ledger(STATE)
        def (int cleanStatus, String said) = cleanInProcess()
        boolean stillRunning = run.process.alive
        int status = run.waitFor(180)

        then:
        ledger != null
        stillRunning
        cleanStatus == 0
        said.contains("left ${ledger.fileName} alone: labsh pid ${run.pid()} is still running")
        !said.contains('removed ')
        assert status == 0: run.output()
        KernelView.leakedAfterSettling(before, STATE) == [] as Set

        where:
        lab << labs()
    }

    /** `labsh clean` through the command line in this JVM (no JVM start, so the lab is surely still running). */
    private static List cleanInProcess() {
        String old = System.getProperty('labsh.state')
        System.setProperty('labsh.state', STATE.toString())
        try {
            StringWriter out = new StringWriter()
            CommandLine cl = Main.commandLine()
            cl.out = new PrintWriter(out)
            cl.err = new PrintWriter(out)
            int status = cl.execute('clean')
            [status, out.toString()]
        } finally {
            if (old == null) System.clearProperty('labsh.state') else System.setProperty('labsh.state', old)
        }
    }
}
