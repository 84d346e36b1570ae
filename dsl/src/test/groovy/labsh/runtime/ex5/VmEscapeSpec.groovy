package labsh.runtime.ex5

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.channels.ServerSocketChannel
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.nio.file.attribute.UserDefinedFileAttributeView
import java.time.Duration
import labsh.kernel.Privilege
import labsh.runtime.HostRoute
import labsh.runtime.VirtualMachine
import labsh.runtime.VmImage
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * Issue 12, finding 8 (and the VM half of 4): the ex5 VM attacked from inside, in one boot. The
 * guest's root runs a probe (labsh.probe on the kernel command line, labsh/vm/init) that tries the
 * host's loopback through slirp, writes a setuid-root busybox and a symlink to /etc/shadow into the
 * 9p share; then the seed's server starts as usual. The host reads qemu's own status, the share's
 * files and its listener.
 */
@Requires({ Privilege.isRoot() && VirtualMachine.available() })
@Stepwise
class VmEscapeSpec extends Specification {
    @Shared Path share = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'vm-share')
    @Shared ServerSocketChannel listener
    @Shared VirtualMachine vm
    @Shared String probeOutput
    @Shared HostRoute route

    def setupSpec() {
        // a listener on the host's loopback: slirp without restrict=on maps the guest's 10.0.2.2 to it
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        listener.configureBlocking(false)
        int port = listener.socket().localPort
        String probe = """\
            cp /bin/busybox /info/suid && chown 0:0 /info/suid && chmod 4755 /info/suid && ls -ln /info/suid
            ln -s /etc/shadow /info/server_evil && ls -l /info/server_evil
            timeout 10 nc -w 3 10.0.2.2 ${port} </dev/null; echo "connect 10.0.2.2:${port}: status \$?"
            ip neigh show 10.0.2.2
            """.stripIndent()
        // as the ex5 lab does: the host's connect() to the guest's 10.0.2.15 fails at once, sending nothing
        route = HostRoute.exists('10.0.2.0/24') ? null : HostRoute.unreachable('10.0.2.0/24')
        vm = VirtualMachine.start(VmImage.prepare(), share, [name: 'server_vm', port: '5301', shmpath: '/tmp/ex5-vm-key', projid: '7',
                                                             shmmsg: 'vm_shm', sockmsg: 'vm_sock', timeout: '10',
                                                             probe: Base64.encoder.encodeToString(probe.bytes)])
        // the probe runs before the server: its info file means the probe is over
        vm.waitForFile(share.resolve('server_vm'), Duration.ofSeconds(180))
        String console = vm.console()
        probeOutput = console.substring(console.indexOf('labsh-vm: probe begins'), console.indexOf('labsh-vm: server ready'))
    }

    def cleanupSpec() {
        vm?.close()
        route?.close()
        listener?.close()
        share.toFile().deleteDir()
    }

    def "qemu runs under its seccomp filter, as an unprivileged user with no capability (/proc/PID/status)"() {
        when:
        Map<String, String> status = Files.readAllLines(Path.of("/proc/${vm.pid()}/status"))
                .collectEntries { String l -> l.split(':\t', 2) as List }

        then:
        status.Name.startsWith('qemu-system')
        status.Seccomp == '2'
        status.Uid.split('\t').every { it != '0' }
        status.Gid.split('\t').every { it != '0' }
        status.CapEff == '0000000000000000'
        status.CapBnd == '0000000000000000'
        status.NoNewPrivs == '1'
    }

    def "the guest cannot reach a listener on the host's loopback: its connect fails and the listener sees nothing"() {
        expect: 'the guest tried: its SYN went to slirp (10.0.2.2 resolved to slirp\'s MAC) and nc failed'
        probeOutput.readLines().any { it ==~ /connect 10\.0\.2\.2:\d+: status [1-9]\d*/ }
        probeOutput.contains('lladdr 52:55:0a:00:02:02')

        and: 'nothing waits in the listener\'s accept queue (a non-blocking accept(2))'
        listener.accept() == null
    }

    def "a setuid-root file the guest writes into the share is, on the host, a plain 0600 file of the qemu user"() {
        given:
        Path suid = share.resolve('suid')
        int mode = Files.getAttribute(suid, 'unix:mode', LinkOption.NOFOLLOW_LINKS) as int

        expect: 'the guest believes it made a setuid-root file'
        probeOutput.readLines().any { it ==~ /-rwsr-xr-x\s+1 0\s+0 .*\/info\/suid/ }

        and: 'the host: owner nobody, no setuid, no execute bit; the guest\'s mode only in an xattr'
        Files.getAttribute(suid, 'unix:uid', LinkOption.NOFOLLOW_LINKS) == VirtualMachine.passwd(VirtualMachine.RUN_AS)[0]
        (mode & 07777) == 0600
        guestMode(suid) == 0104755
    }

    def "the setuid file does not elevate a host user: run as nobody (setpriv), it is not uid 0"() {
        when: 'nobody runs it through a descriptor root opened for it (the path may be closed to nobody), as busybox id -u'
        Process p = new ProcessBuilder('/bin/sh', '-c',
                'exec 3<"$1" && exec setpriv --reuid=65534 --regid=65534 --clear-groups bash -c \'exec -a id /proc/self/fd/3 -u\'',
                'probe', share.resolve('suid').toString()).redirectErrorStream(true).start()
        String out = p.inputStream.text
        int status = p.waitFor()

        then:
        status != 0
        out.contains('Permission denied')
        !out.readLines().contains('0')
    }

    def "a symlink the guest makes in the share is not a symlink on the host, and the client reports it in one line"() {
        given:
        Path evil = share.resolve('server_evil')

        expect: 'the guest made a symlink to /etc/shadow'
        probeOutput.contains('/info/server_evil -> /etc/shadow')

        and: 'the host sees a regular file of the qemu user, holding the link\'s text'
        !Files.isSymbolicLink(evil)
        Files.isRegularFile(evil, LinkOption.NOFOLLOW_LINKS)
        Files.readString(evil) == '/etc/shadow'

        when:
        ScanReport report = new Ex5Client().scan(share)

        then: 'never the shadow file\'s lines: one line for the file, and the VM server counted as a VM'
        report.problems().find { it.startsWith('server_evil: ') } == 'server_evil: has 1 line(s), expected 4: IP, port, shm_pathname, proj_id'
        report.servers()*.file() == ['server_vm']
        report.servers()[0].environment() == ScanReport.Environment.VM
    }

    def "when the VM ends, the share's owner is given back"() {
        when:
        vm.stop(Duration.ofSeconds(60))

        then:
        !vm.running
        Files.getAttribute(share, 'unix:uid', LinkOption.NOFOLLOW_LINKS) == 0
    }

    /**
     * The mode the guest set, which qemu keeps in user.virtfs.mode (mapped-xattr: a native-endian
     * mode_t) or in .virtfs_metadata/NAME (mapped-file, where the file system has no user xattrs).
     */
    private static int guestMode(Path p) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView, LinkOption.NOFOLLOW_LINKS)
        if (view.list().contains('virtfs.mode')) {
            ByteBuffer b = ByteBuffer.allocate(view.size('virtfs.mode')).order(ByteOrder.nativeOrder())
            view.read('virtfs.mode', b)
            return b.flip().getInt()
        }
        String line = Files.readAllLines(p.resolveSibling('.virtfs_metadata').resolve(p.fileName)).find { it.startsWith('virtfs.mode=') }
        line.substring('virtfs.mode='.length()) as int
    }
}
