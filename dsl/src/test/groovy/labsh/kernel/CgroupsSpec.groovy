package labsh.kernel

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import labsh.runtime.LaunchSpec
import labsh.runtime.NativeStage
import spock.lang.Requires
import spock.lang.Specification

/** Checked against the kernel's files: /proc/PID/cgroup, the limit files, the OOM counter. */
// Creating cgroups needs root.
@Requires({ Privilege.isRoot() })
class CgroupsSpec extends Specification {
    Cgroup group

    def cleanup() {
        group?.pids()?.each { ProcessHandle.of(it).ifPresent { p -> p.destroyForcibly(); p.onExit().get(5, TimeUnit.SECONDS) } }
        group?.remove()
    }

    def "limits are written where the kernel reads them, and a process moved in shows it in /proc/PID/cgroup"() {
        given:
        group = Cgroups.create("spec-${ProcessHandle.current().pid()}")
        Process sleeper = new ProcessBuilder('sleep', '1000').start()

        when:
        group.setMemoryLimit(Cgroups.parseMemory('64M'))
        group.setCpuPercent(Cgroups.parseCpuPercent('50'))
        group.setPidsMax(20)
        group.add((int) sleeper.pid())

        then:
        group.limits().memory == "${64 << 20}"
        group.limits().cpu == '50000 100000'  // quota and period, v1 and v2 alike
        group.limits().pids == '20'
        group.pids() == [(int) sleeper.pid()]
        Files.readAllLines(Path.of("/proc/${sleeper.pid()}/cgroup")).any { it.endsWith(group.name()) }

        cleanup:
        sleeper?.destroyForcibly()?.waitFor()
    }

    def "a process that allocates past the limit is OOM-killed, and the group's own counter says so"() {
        given: 'the child is put into the group by the native stage before it runs (beforeStart)'
        group = Cgroups.create("oom-${ProcessHandle.current().pid()}")
        group.setMemoryLimit(Cgroups.parseMemory('32M'))
        def spec = LaunchSpec.command('sh', '-c', 'head -c 200M /dev/zero | tail')
                .namespaces(NsType.UTS).beforeStart { int pid -> group.add(pid) }.build()

        when:
        def p = NativeStage.start(spec)
        p.waitFor(30, TimeUnit.SECONDS)

        then:
        group.oomKills() >= 1

        cleanup:
        p?.close()
    }

    def "busy work is charged to the group's cpu usage counter"() {
        given:
        group = Cgroups.create("cpu-${ProcessHandle.current().pid()}")
        def spec = LaunchSpec.command('sh', '-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done')
                .namespaces(NsType.UTS).beforeStart { int pid -> group.add(pid) }.build()

        when:
        def p = NativeStage.start(spec)
        p.waitFor(60, TimeUnit.SECONDS)

        then:
        group.cpuUsageNanos() > 10_000_000L

        cleanup:
        p?.close()
    }

    def "bad limits are one line each: #input"() {
        when:
        parse()

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains(expected)
        !e.message.contains('\n')

        where:
        input          | parse                                   | expected
        'memory -5'    | { Cgroups.parseMemory('-5') }           | "memory limit '-5'"
        'memory 12qq'  | { Cgroups.parseMemory('12qq') }         | "memory limit '12qq'"
        'memory empty' | { Cgroups.parseMemory('') }             | "memory limit ''"
        'cpu 0'        | { Cgroups.parseCpuPercent('0') }        | "cpu percent '0'"
        'cpu 250'      | { Cgroups.parseCpuPercent('250') }      | "cpu percent '250'"
    }

    def "the group and its labsh parent are gone after remove"() {
        given:
        group = Cgroups.create("gone-${ProcessHandle.current().pid()}")
        String name = group.name()

        when:
        group.remove()
        group = null

        then:
        !Files.exists(Path.of('/sys/fs/cgroup/memory' + name)) && !Files.exists(Path.of('/sys/fs/cgroup' + name))
    }
}
