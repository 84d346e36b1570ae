package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.Container
import labsh.dsl.ContainerEvents
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.Cgroups
import labsh.kernel.MountInfo
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * labs/container-limits.groovy (seed 004 problem 5), run once as a user runs it. Just before the
 * container stops, this spec reads its cgroup's files (v1 or v2, whichever is mounted), its
 * /proc/PID/cgroup and its mountinfo itself; each feature checks one step.
 */
// cgroups and containers need root
@Requires({ Privilege.isRoot() })
@Stepwise
class ContainerLimitsLabSpec extends Specification {
    static final Path CG = Path.of('/sys/fs/cgroup')
    @Shared LabResult result
    @Shared ContainerView view
    @Shared Map<String, String> files = [:]

    /** The kernel's files of labsh/container-box, by name, for the version this machine mounts. */
    static Map<String, String> cgroupFiles() {
        Map<String, Path> where = Cgroups.version() == Cgroups.Version.V2 ? [
                memory: CG.resolve('labsh/container-box/memory.max'), cpu: CG.resolve('labsh/container-box/cpu.max'),
                oom: CG.resolve('labsh/container-box/memory.events'), usage: CG.resolve('labsh/container-box/cpu.stat'),
                procs: CG.resolve('labsh/container-box/cgroup.procs')] : [
                memory: CG.resolve('memory/labsh/container-box/memory.limit_in_bytes'),
                cpu: CG.resolve('cpu/labsh/container-box/cpu.cfs_quota_us'),
                oom: CG.resolve('memory/labsh/container-box/memory.oom_control'),
                usage: CG.resolve('cpuacct/labsh/container-box/cpuacct.usage'),
                procs: CG.resolve('memory/labsh/container-box/cgroup.procs')]
        where.collectEntries { k, p -> [k, Files.readString(p).trim()] }
    }

    def setupSpec() {
        AutoCloseable listening = ContainerEvents.listen { String event, Object noun ->
            if (!(noun instanceof Container) || event != 'stopping') return
            Container c = (Container) noun
            view = ContainerView.of(event, c.name, c.pid)
            files.putAll(cgroupFiles())
            view.readings.note = Files.readString(c.mountSource.resolve('note'))
        }
        try {
            result = LabRunner.run(Path.of(System.getProperty('labsh.labs', '.'), 'container-limits.groovy'), new LabOptions(out: System.out, err: System.err))
        } finally {
            listening.close()
        }
    }

    def "step 1: the limit files hold the script's values and its init is in the group"() {
        expect:
        result.step('start the container with the limits from the script').passed
        files.memory == "${32 << 20}"
        files.cpu == (Cgroups.version() == Cgroups.Version.V2 ? '20000 100000' : '20000')
        files.procs.readLines().contains("${view.pid}".toString())
        view.cgroup.any { it.endsWith('/labsh/container-box') }
    }

    def "step 2: the group's own OOM counter counted a kill"() {
        given:
        long kills = files.oom.readLines().find { it.startsWith('oom_kill ') }.split(' ')[1] as long

        expect:
        result.step('memory: an allocation over the limit is OOM-killed').passed
        kills >= 1
    }

    def "step 3: the busy loops were charged to the group, and the lab measured a share within tolerance"() {
        given:
        long usageNs = Cgroups.version() == Cgroups.Version.V2 ?
                (files.usage.readLines().find { it.startsWith('usage_usec ') }.split(' ')[1] as long) * 1000 : files.usage as long
        def measured = (result.output =~ /: ([\d.]+) % \(configured 20 %\)/)

        expect:
        result.step('cpu: two busy loops get the configured share of one cpu').passed
        usageNs > 200_000_000L            // the two loops ran ~3 s at 20 %: over 0.2 s of cpu
        measured.find()
        (measured.group(1) as double) >= 10 && (measured.group(1) as double) <= 35
    }

    def "step 4: /mypoint is in the container's mountinfo, bound from the host directory that holds the note"() {
        given:
        MountInfo m = view.mountAt('/mypoint')

        expect:
        result.step('the extra mount point /mypoint').passed
        m != null && m.root().endsWith('/containers/box/mount-source')
        view.readings.note == 'from inside\n'
    }

    def "step 5 and after: no cgroup, mount or ledger entry of the container is left"() {
        expect:
        result.ok
        ['find', CG.toString(), '-maxdepth', '4', '-name', 'container-box'].execute().text.isEmpty()
        !MountInfo.of('self').any { it.mountPoint().contains('/containers/box') }
        !new File("/proc/${view.pid}").exists()
        Ledger.current().openEntries().isEmpty()
    }
}
