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

/**
 * Bad inputs to the container word: each is one line naming the script's line and what was wrong,
 * and leaves nothing behind (no container directory, mount, cgroup, process or ledger entry).
 */
// the word is checked as it would run: as root, where it could create everything
@Requires({ Privilege.isRoot() })
class ContainerBadInputSpec extends Specification {
    @Shared Path work = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'bad-input')
    @Shared Path notTar = Files.writeString(work.resolve('rootfs.tar'), 'plain text, not a tar\n' * 50)

    def cleanupSpec() { work.toFile().deleteDir() }

    def "#what: one line, nothing left"() {
        given:
        Path script = Files.writeString(work.resolve('bad.groovy'), "lab 'bad input'\nstep('start') {\n    container 'bad', ${options}\n}\n")
        ByteArrayOutputStream err = new ByteArrayOutputStream()

        when:
        LabResult r = LabRunner.run(script, new LabOptions(err: new PrintStream(err, true)))

        then:
        !r.ok
        r.error.line == 3
        r.error.message.contains(says)
        !r.error.message.contains('\n')
        err.toString().readLines().size() == 1
        !Files.exists(Ledger.stateDir().resolve('containers/bad'))
        !MountInfo.of('self').any { it.mountPoint().contains('/containers/bad') }
        ['find', '/sys/fs/cgroup', '-maxdepth', '4', '-name', 'container-bad'].execute().text.isEmpty()
        Ledger.current().openEntries().isEmpty()

        where:
        what                       | options                                        || says
        'a rootfs that is missing' | "rootfs: '/nonexistent/rootfs'"                || "rootfs '/nonexistent/rootfs': no such file or directory"
        'a tar that is not a tar'  | "rootfs: '${work.resolve('rootfs.tar')}'"      || "rootfs '${work.resolve('rootfs.tar')}': not a tar archive"
        'memory -5'                | "memory: '-5'"                                 || "memory limit '-5': give bytes, or a number with k, M or G"
        'memory 12qq'              | "memory: '12qq'"                               || "memory limit '12qq'"
        'cpu 0'                    | 'cpu: 0'                                       || "cpu percent '0': give 1 to 100"
        'cpu 250'                  | 'cpu: 250'                                     || "cpu percent '250': give 1 to 100"
        'a root under /tmp'        | "at: '/tmp/box-root'"                          || 'is under /tmp'
        'an unknown option'        | "memroy: '64m'"                                || 'unknown option memroy'
        'a bad mount point'        | "mount: '/my point'"                           || "mount point '/my point'"
    }
}
