package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.TempDir

/**
 * labs/mount-puzzle.groovy (seed 004, problem 2), run as a student runs it with a prediction; each
 * feature checks one step's outcome as the lab's checks read it from the kernel (the puzzle
 * thread's mountinfo, java.nio in its namespace), then that nothing is left.
 */
// mount(2) and unshare(CLONE_NEWNS) need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
@Stepwise
class MountPuzzleLabSpec extends Specification {
    static final Path LAB = Path.of(System.getProperty('labsh.labs', '.'), 'mount-puzzle.groovy')
    @Shared @TempDir Path dir
    @Shared LabResult result
    @Shared ByteArrayOutputStream errors = new ByteArrayOutputStream()

    static Path work() { Ledger.stateDir().resolve("work/${ProcessHandle.current().pid()}") }

    def setupSpec() {
        // the seed's own answer: the move fails on a shared /; all private, three levels of 1
        Path guess = Files.writeString(dir.resolve('guess.txt'), '''\
            [shared]
            /smt
            └── 1
            [private]
            /smt
            └── 1
                └── 1
            '''.stripIndent())
        result = LabRunner.run(LAB, new LabOptions(out: System.out, err: new PrintStream(errors, true), args: ['--predict', guess.toString()]))
    }

    def "step 1: under a shared parent the move is refused with EINVAL, and /smt keeps only its empty 1"() {
        expect:
        result.step('under a shared parent, as / is on a systemd host').status.name() == 'PASS'
        result.step('under a shared parent, as / is on a systemd host').checks*.passed == [true] * 4
        result.output =~ /mount\(".*\/tmp", ".*\/smt\/1", NULL, MS_MOVE, NULL\) = -1 EINVAL \(Invalid argument\)/
    }

    def "step 1: the prediction for the shared variant was right, and the lab says so"() {
        expect:
        result.output.contains('Your prediction for tree /smt (shared) is what the kernel shows.')
    }

    def "step 2: all private the move succeeds, /smt/1 and /smt/1/1 are mounts, three levels of 1"() {
        expect:
        result.step('all private').status.name() == 'PASS'
        result.step('all private').checks*.passed == [true] * 4
        result.output.contains('$ tree /smt\n   /smt\n   └── 1\n       └── 1\n           └── 1\n')
    }

    def "step 2: the prediction missed a level, and the diff shows it as the kernel's only"() {
        expect:
        result.output.contains("Your prediction for tree /smt (private) against the kernel's")
        result.output.contains('  /smt\n         1\n             1\n   +             1\n')
    }

    def "after the lab: no mount of the puzzle anywhere, no thread, no scratch directory, no ledger entry"() {
        expect:
        result.ok
        !MountInfo.of('self').any { it.mountPoint().contains('mount-puzzle-') }
        !Thread.allStackTraces.keySet().any { it.name == 'mount-puzzle' && it.alive }
        !Files.exists(work().resolve('mount-puzzle-shared'))
        !Files.exists(work().resolve('mount-puzzle-private'))
        Ledger.current().openEntries().isEmpty()
    }

    def "bad arguments are one line each, and the lab does nothing"() {
        given:
        ByteArrayOutputStream err = new ByteArrayOutputStream()

        when:
        LabResult r = LabRunner.run(LAB, new LabOptions(err: new PrintStream(err, true), args: args))

        then:
        !r.ok
        r.lab.steps.isEmpty()
        err.toString().readLines() == [LAB.toString() + ':11: ' + message.replace('DIR', dir.toString())]
        Ledger.current().openEntries().isEmpty()

        where:
        args                                                | message
        ['--predict']                                       | '--predict takes one file, the listing you expect: --predict my.txt'
        ['--guess', 'x']                                    | "unknown argument '--guess' (this lab takes --predict FILE)"
        ['--predict', '/no/such/file']                      | '--predict: no file at /no/such/file'
    }
}
