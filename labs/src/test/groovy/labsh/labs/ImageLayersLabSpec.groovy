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

/**
 * labs/image-layers.groovy (seed 004, problem 3), run once as a user runs it. Each feature checks
 * one step as the kernel and the file system show it, then that no overlay, layer or export is left.
 */
// overlay mounts and containers need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
@Stepwise
class ImageLayersLabSpec extends Specification {
    static final Path LAB = Path.of(System.getProperty('labsh.labs', '.'), 'image-layers.groovy')
    @Shared LabResult result
    @Shared List<String> overlaysBefore

    static List<String> overlays() { MountInfo.of('self').findAll { it.fsType() == 'overlay' }*.mountPoint() }

    def setupSpec() {
        overlaysBefore = overlays()
        result = LabRunner.run(LAB, new LabOptions(out: System.out, err: System.err))
    }

    private boolean passed(String step) {
        result.step(step).status.name() == 'PASS' && result.step(step).checks.every { it.passed }
    }

    def "step 1: three layers, each RUN in a container on an overlay of the layers below"() {
        expect:
        passed('build the image, one layer per instruction')
        result.output =~ /layer 1: FROM busybox  → [\d.]+ MiB/
        result.output =~ /-rw-r--r-- +1 root +root +8388608 .* pkg.bin/
    }

    def "step 2: layer sizes from du, and the whiteout the kernel made (char 0/0, by stat)"() {
        expect:
        passed('each layer as the file system holds it')
        result.step('each layer as the file system holds it').checks*.what == [
                'layer 2 holds the whole 8 MiB file (du, allocated blocks)',
                'layer 3 holds a whiteout for /opt/pkg, not the absence of a file',
                'the kernel made it a character device 0/0 (stat)',
                'layer 3 is a few KiB: the whiteout and its copied-up directory /opt']
    }

    def "step 3: the image grows by the package and does not shrink back"() {
        expect:
        passed('the image size grows and does not shrink back')
    }

    def "step 4: docker diff: A for the package in layer 2, D for it in layer 3"() {
        expect:
        passed('the files that differ across the images (docker diff)')
        result.output.contains('A /opt/pkg/pkg.bin')
        result.output.contains('D /opt/pkg')
    }

    def "step 5: the export of a container of the image has no package and is smaller than the image"() {
        expect:
        passed('export a container of the image as a tar (docker export)')
        result.output =~ /entries \(\d+ regular files\)/
    }

    def "after the lab: no overlay mount, no image or layer directory, no export, no ledger entry"() {
        expect:
        result.ok
        overlays() == overlaysBefore
        !Files.exists(Ledger.stateDir().resolve("images/p3-${ProcessHandle.current().pid()}"))
        !Files.exists(Ledger.stateDir().resolve("work/${ProcessHandle.current().pid()}/export-p3"))
        !Files.exists(Ledger.stateDir().resolve('containers/p3'))
        Ledger.current().openEntries().isEmpty()
    }
}
