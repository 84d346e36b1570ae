package labsh.labs

import java.nio.file.Path
import labsh.dsl.LabOptions
import labsh.dsl.LabRunner
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Specification

/** labs/ex5.groovy on a machine without qemu: the VM's stand-in is named as such, and still counts as unreachable. */
// Containers need CAP_SYS_ADMIN: root.
@Requires({ Privilege.isRoot() })
class Ex5StandInSpec extends Specification {
    def "without qemu the lab says so, uses a container with its own network, and the client still counts VM: 1"() {
        given:
        System.setProperty('labsh.vm', 'off')

        when:
        def r = LabRunner.run(Path.of(System.getProperty('labsh.labs', '.'), 'ex5.groovy'), new LabOptions())

        then:
        r.ok
        r.output.contains('STAND-IN, NOT A VM')
        r.output.contains('Total Servers: 3\nHost: 1\nContainer: 1\nVM: 1\n')
        Ledger.current().openEntries().isEmpty()

        cleanup:
        System.clearProperty('labsh.vm')
    }
}
