package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.Privilege
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * kill -9 at random points of every lab, then {@code labsh clean}: nothing is left, counted from the
 * kernel's view ({@link KernelView}: SysV objects, mounts, cgroups, links, namespace-holding
 * processes, routes, and the state directory's files). Every labs/*.groovy is taken, none skipped:
 * a lab added later is covered without an edit here (one that needs arguments gets them from
 * {@link #ARGS}).
 *
 * <p>Where the kills land: a lab's JVM start and script compile take most of its run time on a
 * loaded machine (measured: 14 of 15 s with a load of 15), and a kill there tests nothing. So each
 * lab is first run to the end (it must pass), twice, the second run timing its <em>active window</em>:
 * from its first ledger record to its exit. A kill point is a fraction of that window, drawn from a
 * seeded Random (the seed is printed; {@code -Dlabsh.crash.seed=N} replays a run), and the kill
 * comes that long after the killed run's own first ledger record, whatever the noise before it.
 * Each lab gets {@code max(3, ceil(62.5 / labs))} points, at most 90% into the window, and at least
 * 50 of the kills must hit a labsh still running; labs that boot a VM (their script says
 * {@code vm(}) take most of theirs with LABSH_VM=off (the stand-in container, seconds instead of a
 * TCG boot) and {@link #VM_POINTS} with the VM.
 */
// Namespaces, mounts and routes need root (CAP_SYS_ADMIN, CAP_NET_ADMIN).
@Requires({ Privilege.isRoot() })
@Stepwise
class CrashSafetySpec extends Specification {
    static final int TOTAL_POINTS = 50
    static final int VM_POINTS = 3
    /** Arguments for labs that need some; every other lab runs with none. */
    static final Map<String, List<String>> ARGS = [:]

    static final Path WORK = Path.of('target/crash-safety').toAbsolutePath()
    /** A state directory of its own (ledgers, work dirs): labsh runs of other specs do not mix in. */
    static final Path STATE = Path.of("/run/labsh-crash-safety-${ProcessHandle.current().pid()}")
    static final long SEED = Long.getLong('labsh.crash.seed', System.nanoTime())

    /** One run of a lab: the script, and whether a VM may be booted. */
    static final class Mode {
        String lab
        boolean vm
        String toString() { "${lab}${vm ? '' : ' LABSH_VM=off'}" }
    }

    /** Per mode: seconds from the first ledger record to the exit, in the measured run. */
    @Shared Map<String, Double> window = [:]
    @Shared int kills = 0
    /** Kills after which the kernel view showed objects for {@code labsh clean} to remove, and their kinds. */
    @Shared int leftForClean = 0
    @Shared Map<String, Integer> leftKinds = new TreeMap<>()

    static List<Path> labs() {
        List<Path> all = []
        Path.of(System.getProperty('labsh.labs', '.')).toFile().eachFileMatch(~/.*\.groovy/) { all << it.toPath() }
        all.sort()
    }

    static boolean bootsVm(Path lab) { Files.readString(lab).contains('vm(') }

    static List<Mode> modes() {
        labs().collectMany { Path lab ->
            bootsVm(lab) ? [new Mode(lab: lab.fileName.toString(), vm: true), new Mode(lab: lab.fileName.toString(), vm: false)]
                         : [new Mode(lab: lab.fileName.toString(), vm: false)]
        }
    }

    static Map<String, String> env(Mode m) {
        Map<String, String> e = [LABSH_STATE: STATE.toString()]
        if (!m.vm) e.LABSH_VM = 'off'
        e
    }

    static List<String> labArgs(Mode m) {
        [KernelView.REPO.resolve("labs/${m.lab}").toString()] + ARGS.getOrDefault(m.lab, [])
    }

    /** Kill points: a mode and a fraction of its active window, drawn with the printed seed. */
    List<List> killPoints() {
        Random random = new Random(SEED)
        List<Path> labs = labs()
        // a quarter more than needed: a run that ends sooner than the measured one is not hit (measured:
        // 53 and 55 of 55 hit)
        int perLab = Math.max(3, Math.ceil(TOTAL_POINTS * 1.25 / labs.size()) as int)
        List<List> points = []
        labs.each { Path lab ->
            String name = lab.fileName.toString()
            perLab.times { i ->
                Mode m = new Mode(lab: name, vm: bootsVm(lab) && i < VM_POINTS)
                assert window[m.toString()] != null: "no measured run of ${m}"
                points << [m, Math.round(random.nextDouble() * 900) / 10.0]
            }
        }
        points
    }

    def setupSpec() {
        println "CrashSafetySpec seed=${SEED} (replay with -Dlabsh.crash.seed=${SEED}); state directory ${STATE}"
        Files.createDirectories(WORK)
    }

    def cleanupSpec() {
        LabshChild.run(['clean'], [LABSH_STATE: STATE.toString()], WORK.resolve('final-clean.log'))
        STATE.toFile().deleteDir()
    }

    def "#mode runs to the end through the launcher, passes and leaves nothing (twice: the second run is timed)"() {
        given:
        Set<String> before = KernelView.snapshot(STATE)

        when: 'a first run, which also builds what the lab caches (C programs, the VM image)'
        LabshChild first = LabshChild.start(labArgs(mode), env(mode), WORK.resolve("full-${tag(mode)}-1.log"))
        int firstStatus = first.waitFor(300)

        and: 'a second, timed from its first ledger record to its exit'
        LabshChild timed = LabshChild.start(labArgs(mode), env(mode), WORK.resolve("full-${tag(mode)}-2.log"))
        Double recorded = timed.awaitLedger(STATE)
        int status = timed.waitFor(300)
        double active = timed.elapsedSeconds() - (recorded ?: 0d)
        window[mode.toString()] = active
        println "full run of ${mode}: ${String.format('%.2f', timed.elapsedSeconds())} s, first ledger record at " +
                "${recorded == null ? 'none' : String.format('%.2f', recorded)} s, active ${String.format('%.2f', active)} s"

        then:
        assert firstStatus == 0: "the lab failed on its own (add its arguments to ARGS if it needs some):\n${first.output()}"
        assert status == 0: timed.output()
        KernelView.leakedAfterSettling(before, STATE) == [] as Set

        where:
        mode << modes()
    }

    def "kill -9 at #percent% of #mode's active window, then labsh clean: nothing is left in the kernel's view"() {
        given:
        Set<String> before = KernelView.snapshot(STATE)
        String tag = "${tag(mode)}-${percent}"

        when: 'the run has recorded its first object, and then the drawn part of its window has passed'
        LabshChild run = LabshChild.start(labArgs(mode), env(mode), WORK.resolve("killed-${tag}.log"))
        run.awaitLedger(STATE)
        sleep((long) (window[mode.toString()] * percent * 10))
        boolean aliveAtKill = run.process.alive
        String ledgers = ledgerTexts()
        run.kill9()
        if (aliveAtKill) kills++
        // what the crash left: proof that the view sees labsh's objects, so an empty diff after clean means something
        Set<String> orphaned = KernelView.leaked(before, KernelView.snapshot(STATE))
        if (orphaned) leftForClean++
        orphaned.each { String line -> leftKinds.merge(line.split(' ')[0], 1, Integer::sum) }
        LabshChild clean = LabshChild.start(['clean'], [LABSH_STATE: STATE.toString()], WORK.resolve("clean-${tag}.log"))
        int cleanStatus = clean.waitFor(120)
        Set<String> leak = KernelView.leakedAfterSettling(before, STATE)

        then:
        assert cleanStatus == 0: "labsh clean failed:\n${clean.output()}"
        assert leak.isEmpty(): "left after kill -9 and labsh clean (seed ${SEED}):\n${leak.join('\n')}\n" +
                "ledger at the kill:\n${ledgers}\nclean said:\n${clean.output()}\nthe lab said:\n${run.output()}"

        where:
        [mode, percent] << killPoints()
    }

    def "at least 50 of the kills hit a running labsh (not one that had already finished), and most left objects that labsh clean removed"() {
        when:
        println "kills that hit a running labsh: ${kills}; kills after which the kernel view held labsh objects " +
                "until labsh clean: ${leftForClean}; those objects by kind: ${leftKinds}"

        then:
        kills >= TOTAL_POINTS
        leftForClean >= TOTAL_POINTS * 0.8
    }

    static String tag(Mode m) { "${m.lab}-${m.vm ? 'vm' : 'novm'}" }

    private static String ledgerTexts() {
        Path dir = STATE.resolve('ledgers')
        if (!Files.isDirectory(dir)) return '(none)'
        dir.toFile().listFiles().collect { "${it.name}:\n${it.text}" }.join('\n') ?: '(none)'
    }
}
