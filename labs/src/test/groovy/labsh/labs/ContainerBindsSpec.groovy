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
import spock.lang.Specification

/** binds: one host directory bound into two containers (what a FIFO between them needs). */
// containers need root
@Requires({ Privilege.isRoot() })
class ContainerBindsSpec extends Specification {
    Path work = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'binds')

    def cleanup() { work.toFile().deleteDir() }

    def "a directory bound into two containers: each one's mountinfo has it, a file made in one is seen in the other"() {
        given:
        Path shared = Files.createDirectories(work.resolve('shared'))
        Path script = Files.writeString(work.resolve('binds.groovy'), """\
            import labsh.runtime.container.Rootfs
            lab 'binds'
            step('share') {
                Rootfs image = busybox()
                Container a = container 'bind-a', rootfs: image, writable: true, binds: ['${shared}': '/shared']
                Container b = container 'bind-b', rootfs: image, writable: true, binds: ['${shared}': '/shared']
                a.exec('mkfifo /shared/fifo; echo hello > /shared/note')
                say "b reads: \${b.exec('cat /shared/note; test -p /shared/fifo && echo a-fifo').readLines().join(' ')}"
                say "mountinfo a: \${a.mountinfo().find { it.mountPoint() == '/shared' }?.root()}"
                say "mountinfo b: \${b.mountinfo().find { it.mountPoint() == '/shared' }?.root()}"
            }
            """.stripIndent())

        when:
        LabResult r = LabRunner.run(script, new LabOptions(out: System.out))

        then:
        r.ok
        r.output.contains('b reads: hello a-fifo')
        r.output.contains("mountinfo a: ${shared}") && r.output.contains("mountinfo b: ${shared}")
        Files.readString(shared.resolve('note')) == 'hello\n'
        !MountInfo.of('self').any { it.mountPoint().contains('/containers/bind-') }
        Ledger.current().openEntries().isEmpty()
    }
}
