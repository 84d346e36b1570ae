package labsh.kernel

import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.Path
import labsh.runtime.LaunchSpec
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import spock.lang.IgnoreIf
import spock.lang.Requires
import spock.lang.Specification

/**
 * The device allow-list on cgroup v2: the BPF device program attached to a v2 group. A machine in
 * hybrid mode (v1 controllers, /sys/fs/cgroup/unified) has a v2 hierarchy too, where the program
 * attaches and works the same, so this runs on either kind.
 */
// cgroups and bpf(2) need root
@Requires({ Privilege.isRoot() })
@IgnoreIf({ !Files.exists(Path.of('/sys/fs/cgroup/cgroup.controllers')) && !Files.exists(Path.of('/sys/fs/cgroup/unified/cgroup.controllers')) })
class DeviceFilterSpec extends Specification {
    static final Path V2 = Files.exists(Path.of('/sys/fs/cgroup/cgroup.controllers')) ? Path.of('/sys/fs/cgroup') : Path.of('/sys/fs/cgroup/unified')
    Path group = V2.resolve("labsh-devfilter-${ProcessHandle.current().pid()}")

    def cleanup() {
        if (Files.isDirectory(group)) Files.delete(group)
    }

    /** Runs {@code script} with sh in {@code group} (moved in before it runs), or in our own group when null. */
    static String sh(Path into, String script) {
        LaunchSpec.Builder spec = LaunchSpec.command('sh', '-c', script).stdout(Redirect.PIPE).mergeStderr()
        if (into != null) spec.beforeStart { int pid -> Files.writeString(into.resolve('cgroup.procs'), Integer.toString(pid)) }
        NsProcess p = NativeStage.start(spec.build())
        try {
            String out = new String(p.stdout().readAllBytes())
            p.waitFor()
            out.trim()
        } finally {
            p.close()
        }
    }

    static final String TRIES = 'head -c 1 /dev/null; echo null=$?; head -c 4 /dev/urandom | wc -c; ' +
            'true < /dev/kmsg; echo kmsg=$?; true < /dev/loop0; echo loop0=$?' // open(2) only: what the device check is about

    def "the program follows runc's list: /dev/null and urandom open, kmsg and loop0 get EPERM; outside the group they open"() {
        given: 'the control: from our own group, root opens the kernel log'
        String outside = sh(null, TRIES)
        assert outside.contains('kmsg=0') && outside.contains('loop0=0')

        when:
        Files.createDirectory(group)
        DeviceFilter.attach(group)
        String inside = sh(group, TRIES)

        then:
        inside.contains('null=0')
        inside.readLines().contains('4')
        inside.contains('/dev/kmsg: Operation not permitted') && !inside.contains('kmsg=0')
        inside.contains('/dev/loop0: Operation not permitted') && !inside.contains('loop0=0')
    }

    def "the program's words: a block per rule, a wildcard leaves out its compare, the end refuses"() {
        when:
        byte[] code = DeviceFilter.program([new DeviceFilter.Rule('c' as char, 1, 3, 'rwm'), new DeviceFilter.Rule('c' as char, 136, DeviceFilter.ANY, 'rwm')])

        then: '6 loads, 8 + 7 instructions of the two blocks, 2 at the end'
        code.length == (6 + 8 + 7 + 2) * 8
        code[-16] == (byte) DeviceFilter.MOV64_K && code[-8] == (byte) DeviceFilter.EXIT
    }
}
