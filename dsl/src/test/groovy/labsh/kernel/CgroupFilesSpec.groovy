package labsh.kernel

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification

/**
 * The files each cgroup version writes and reads, on a directory tree laid out like the
 * hierarchy (a machine mounts one version; this checks both). The kernel-backed behaviour of the
 * version that is mounted is in CgroupsSpec and the container labs.
 */
class CgroupFilesSpec extends Specification {
    Path root = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'cgroupfs')

    def cleanup() { root.toFile().deleteDir() }

    def "v2: one directory; controllers enabled from the parents; memory.max, memory.swap.max, cpu.max"() {
        given:
        Files.writeString(root.resolve('cgroup.controllers'), 'cpu memory pids')
        Cgroup g = Cgroups.create(root, Cgroups.Version.V2, 'c1')
        Path dir = root.resolve('labsh/c1')
        Files.writeString(dir.resolve('memory.swap.max'), 'max')

        when:
        g.setMemoryLimit(Cgroups.parseMemory('64m'))
        g.setCpuPercent(Cgroups.parseCpuPercent('20'))
        g.add(4242)

        then:
        Files.readString(root.resolve('cgroup.subtree_control')) == '+memory +cpu +pids'
        Files.readString(root.resolve('labsh/cgroup.subtree_control')) == '+memory +cpu +pids'
        Files.readString(dir.resolve('memory.max')) == "${64 << 20}"
        Files.readString(dir.resolve('memory.swap.max')) == '0'
        Files.readString(dir.resolve('cpu.max')) == '20000 100000'
        Files.readString(dir.resolve('cgroup.procs')) == '4242'
        g.name() == '/labsh/c1'

        when: 'the counters as the kernel writes them'
        Files.writeString(dir.resolve('memory.events'), 'low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 0\n')
        Files.writeString(dir.resolve('cpu.stat'), 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n')

        then:
        g.oomKills() == 2
        g.cpuUsageNanos() == 1_500_000
    }

    def "v1: a directory per controller; memory.limit_in_bytes (and memsw), cfs quota per 100 ms period"() {
        given:
        ['memory', 'cpu', 'cpuacct', 'pids'].each { Files.createDirectories(root.resolve(it)) }
        Cgroup g = Cgroups.create(root, Cgroups.Version.V1, 'c1')
        Files.writeString(root.resolve('memory/labsh/c1/memory.memsw.limit_in_bytes'), '9223372036854771712')

        when:
        g.setMemoryLimit(33554432)
        g.setCpuPercent(150)
        g.add(4242)

        then:
        Files.readString(root.resolve('memory/labsh/c1/memory.limit_in_bytes')) == '33554432'
        Files.readString(root.resolve('memory/labsh/c1/memory.memsw.limit_in_bytes')) == '33554432'
        Files.readString(root.resolve('cpu/labsh/c1/cpu.cfs_period_us')) == '100000'
        Files.readString(root.resolve('cpu/labsh/c1/cpu.cfs_quota_us')) == '150000'
        ['memory', 'cpu', 'cpuacct', 'pids'].every { Files.readString(root.resolve("${it}/labsh/c1/cgroup.procs")) == '4242' }
        g.name() == '/labsh/c1'

        when:
        Files.writeString(root.resolve('memory/labsh/c1/memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n')
        Files.writeString(root.resolve('cpuacct/labsh/c1/cpuacct.usage'), '123456789\n')

        then:
        g.oomKills() == 3
        g.cpuUsageNanos() == 123456789
    }
}
