// Seed 004, problem 5: the container of problem 1 with a configured amount of memory, a cpu
// percent and an additional mount point /mypoint, read from this script (change the three values
// below), set up by labsh and each demonstrated by a measurement read from the kernel: the
// cgroup's own OOM counter, its cpu usage counter, and the container's mountinfo.
// The cgroup is labsh/container-NAME under /sys/fs/cgroup (v2) or under each v1 controller.
import java.nio.file.Files
import labsh.kernel.Cgroups
import labsh.kernel.MountInfo

lab 'seed 004 problem 5: memory, cpu percent and a mount point for the container'

String memory = '32m'        // bytes, or with k, M or G
int cpuPercent = 20          // of one CPU (100 per CPU)
String mountPoint = '/mypoint'

Container box
long limitBytes = Cgroups.parseMemory(memory)

step('start the container with the limits from the script') {
    say "cgroup ${Cgroups.version()} on this machine; the container is moved into its cgroup before it runs"
    say '(nsinit waits for labsh\'s "go" after clone), so nothing of it ever runs unlimited.'
    box = container 'box', writable: true, prompt: 'box> ', memory: memory, cpu: cpuPercent, mount: mountPoint
    say "the kernel reads the limits back: ${box.cgroup.limits()}"
    say box.exec('cat /proc/1/cgroup')
    check('memory limit is the script\'s, in bytes') { box.cgroup.limits().get('memory') == "${limitBytes}" }
    check("cpu quota is ${cpuPercent} ms per 100 ms period") {
        box.cgroup.limits().get('cpu').split(' ').collect { it as long } as Set == [cpuPercent * 1000L, 100000L] as Set
    }
    check('its init is in the cgroup (/proc/PID/cgroup, cgroup.procs)') {
        box.cgroup.pids().contains(box.pid) && Files.readString(java.nio.file.Path.of("/proc/${box.pid}/cgroup")).contains(box.cgroup.name())
    }
}

step('memory: an allocation over the limit is OOM-killed') {
    say "The seed's test: </dev/zero head -c BYTES | tail, which must hold the whole (newline-free) input."
    say 'Each test first offers itself to the OOM killer (oom_score_adj 1000, proc(5)): once tail is killed the'
    say 'kernel may pick again while memory is freed, and then it picks the test, not the container\'s init or shell.'
    String victim = 'echo 1000 > /proc/self/oom_score_adj; '
    long before = box.cgroup.oomKills()
    def under = box.run(victim + "head -c ${limitBytes.intdiv(4)} /dev/zero | tail | wc -c")
    def over = box.run(victim + "head -c ${2 * limitBytes} /dev/zero | tail | wc -c")
    long kills = box.cgroup.oomKills() - before
    say "a quarter of the limit: status ${under.exitCode()}, tail kept ${under.output().trim()} bytes"
    say "twice the limit: status ${over.exitCode()}, output '${over.output().trim()}'"
    say "the cgroup's oom_kill counter went up by ${kills}"
    check('under the limit, tail holds it all') { under.exitCode() == 0 && under.output().trim() == "${limitBytes.intdiv(4)}" }
    check('over the limit, tail is killed: the cgroup counted an OOM kill') { kills >= 1 && over.output().trim() != "${2 * limitBytes}" }
}

step('cpu: two busy loops get the configured share of one cpu') {
    say 'Two loops could use both CPUs (200 %); the quota caps the whole cgroup at the script\'s percent.'
    say 'Measured from the cgroup\'s cpu usage counter over 1.5 s of wall time while the loops run.'
    Thread loops = Thread.start { box.run('for i in 1 2; do timeout -s KILL 3 sh -c "while :; do :; done" & done; wait') }
    Thread.sleep(800)   // past the start, so the window holds only the loops' steady state
    long used0 = box.cgroup.cpuUsageNanos(), t0 = System.nanoTime()
    Thread.sleep(1500)
    long used = box.cgroup.cpuUsageNanos() - used0, wall = System.nanoTime() - t0
    loops.join()
    double share = 100.0 * used / wall
    say String.format('used %.0f ms of cpu in %.0f ms: %.1f %% (configured %d %%)', used / 1e6, wall / 1e6, share, cpuPercent)
    check("the share is ${cpuPercent} % within a generous tolerance (${cpuPercent / 2} to ${cpuPercent * 7 / 4} %)") {
        share >= cpuPercent / 2 && share <= cpuPercent * 7 / 4
    }
}

step("the extra mount point ${mountPoint}") {
    box.exec("echo from inside > ${mountPoint}/note")
    MountInfo m = MountInfo.at(box.mountinfo(), mountPoint)
    say "in its mountinfo: ${m.mountPoint()} ${m.fsType()} ${m.root()} (${m.options()})"
    say "on the host the same directory is ${box.mountSource}"
    check("${mountPoint} is a mount in the container's mountinfo") { m != null }
    check('it is the host directory labsh made for it') { m.root() == box.mountSource.toString() }
    check('a file written inside is in that host directory') { Files.readString(box.mountSource.resolve('note')) == 'from inside\n' }
}

step('stop: the cgroup and the mounts are gone') {
    String group = box.cgroup.name()
    String root = box.root.toString()
    box.stop()
    check('no cgroup of the container is left under /sys/fs/cgroup') {
        sh(quiet: true, 'find /sys/fs/cgroup -maxdepth 4 -type d -name container-box').isEmpty()
    }
    check('its root is no longer mounted on the host') { MountInfo.at(MountInfo.of('self'), root) == null }
}
