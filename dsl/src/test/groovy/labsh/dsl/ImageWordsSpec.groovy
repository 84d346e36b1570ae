package labsh.dsl

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/**
 * The image DSL (`image 'x' { from ...; run ...; copy ... }`) and the puzzle's words as a student
 * types them: a typo is one line with file:line and a suggestion before anything runs; a bad
 * argument is one line at its own line, and leaves nothing behind.
 */
class ImageWordsSpec extends Specification {
    Path dir = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'image-labs')

    def cleanup() { dir.toFile().deleteDir() }

    private Path lab(String text) {
        Path p = dir.resolve('img.groovy')
        Files.writeString(p, text.stripIndent().trim() + '\n')
        p
    }

    private static LabResult run(Path p, ByteArrayOutputStream err = new ByteArrayOutputStream()) {
        LabRunner.run(p, new LabOptions(err: new PrintStream(err, true, 'UTF-8')))
    }

    def "a mistyped instruction in an image is a compile error at its line, with the instruction meant"() {
        given:
        Path p = lab("""
            lab 'typo'
            image('x') {
                ${line}
            }
            """)
        def err = new ByteArrayOutputStream()

        when:
        LabResult r = run(p, err)

        then:
        r.compileFailed
        r.error.toString() == "${p}:3: unknown word '${typo}' — did you mean '${meant}'?"
        err.toString('UTF-8').readLines()[0] == r.error.toString()
        Ledger.current().openEntries().isEmpty()

        where:
        line                      | typo   | meant
        "form 'busybox'"          | 'form' | 'from'
        "rnu 'true'"              | 'rnu'  | 'run'
        "cpoy '/etc/hosts', '/x'" | 'cpoy' | 'copy'
    }

    def "a mistyped mount in the puzzle is a compile error with the word meant"() {
        given:
        Path p = lab("""
            lab 'typo'
            mountPuzzle(parent: 'private') {
                mout '--bind /smt /smt'
            }
            """)

        when:
        LabResult r = run(p)

        then:
        r.compileFailed
        r.error.toString() == "${p}:3: unknown word 'mout' — did you mean 'mount'?"
    }

    @Requires({ Privilege.isRoot() }) // the image's directory and the puzzle's namespace are made before the bad line
    def "a bad argument is one line at its line, and nothing of the image or puzzle is left"() {
        given:
        Path p = lab("""
            lab 'bad input'
            step('build') {
                ${block}
            }
            """)
        def err = new ByteArrayOutputStream()

        when:
        LabResult r = run(p, err)

        then:
        !r.ok
        !r.compileFailed
        err.toString('UTF-8').readLines() == ["${p}:3: step 1 'build' failed: ${message}".toString()]
        Ledger.current().openEntries().isEmpty()
        !Files.exists(Ledger.stateDir().resolve("images/x-${ProcessHandle.current().pid()}"))
        !MountInfo.of('self').any { it.fsType() == 'overlay' && it.mountPoint().contains('/images/x-') }

        where:
        block                                                      | message
        "image('x') { from 'centos' }"                             | "from 'centos': not an image I can make; use 'busybox', 'dir:PATH' or 'tar:PATH'"
        "image('x') { run 'true' }"                                | 'run: the image has no base yet; start it with from \'busybox\''
        "image('x') { from 'busybox'; run 'echo no such thing >&2; exit 3' }" | "run 'echo no such thing >&2; exit 3' exited with status 3: no such thing"
        "image('x') { from 'busybox'; copy '/no/such/file', '/x' }" | "copy '/no/such/file': no such file or directory on the host"
        "image('x') { from 'busybox'; copy '/etc/hostname', 'x' }" | "copy '/etc/hostname', 'x': the destination must be an absolute path in the image, not /"
        "image('x y') { from 'busybox' }"                          | "image 'x y': use letters, digits, '.', '_' or '-'"
        "image('x') { from 'dir:/no/such/dir' }"                   | "rootfs '/no/such/dir': no such file or directory"
        "mountPuzzle(parent: 'slave') { }"                         | "mountPuzzle: parent: must be 'shared' or 'private' (got 'slave')"
        "mountPuzzle(parent: 'shared') { mount '--bnd /smt /smt' }" | 'mount: unknown option --bnd — did you mean --bind?'
        "mountPuzzle(parent: 'shared') { mount '--bind /etc /smt' }" | 'mount: /etc is not in the puzzle: only /smt and /tmp (and what is under them) exist, mapped onto the scratch tree'
    }
}
