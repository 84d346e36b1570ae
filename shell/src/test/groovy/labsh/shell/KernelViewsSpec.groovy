package labsh.shell

import labsh.dsl.Node
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import labsh.kernel.Privilege
import labsh.runtime.LaunchSpec
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import labsh.runtime.container.Enter
import spock.lang.Requires
import spock.lang.Specification

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path

/**
 * The shell's views of a node against the reference tools run on the same process: lsns(8),
 * ipcs(1) through nsenter(1), readlink of /proc/PID/ns; and the picture's namespaces against
 * the same links.
 */
// Containers need CAP_SYS_ADMIN (clone with new namespaces), and nsenter needs it too: root.
@Requires({ Privilege.isRoot() })
class KernelViewsSpec extends Specification {
    static class Box implements Node {
        String name
        int pid

        LaunchSpec.Builder entry(List<String> command) {
            Enter.into(pid, Namespaces.notSharedWithUs(pid), null, null, false, command)
        }
    }

    ByteArrayOutputStream bytes = new ByteArrayOutputStream()
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)
    List<Object> values = []
    Nodes nodes = new Nodes({ values })
    KernelViews views = new KernelViews(nodes, out)
    List<NsProcess> started = []

    def cleanup() {
        started.reverse().each { it.close() }
    }

    private Box box(String name, LaunchSpec spec) {
        NsProcess p = NativeStage.start(spec)
        started << p
        Box b = new Box(name: name, pid: p.pid())
        values << b
        b
    }

    private static LaunchSpec container(String hostname) {
        LaunchSpec.command('/bin/sleep', '600').namespaces(NsType.IPC, NsType.MNT, NsType.UTS, NsType.PID)
                .hostname(hostname).init(true).build()
    }

    private String shown() {
        String s = bytes.toString(StandardCharsets.UTF_8)
        bytes.reset()
        s
    }

    private static String run(String... cmd) {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        String s = p.inputStream.text
        assert p.waitFor() == 0: s
        s
    }

    private static long inode(int pid, String type) {
        String link = Files.readSymbolicLink(Path.of("/proc/${pid}/ns/${type}")).toString()
        link.substring(link.indexOf('[') + 1, link.indexOf(']')) as long
    }

    def "nodes lists a live node with the namespaces it does not share with labsh"() {
        given:
        Box b = box('k1', container('k1'))

        when:
        views.nodes()

        then:
        shown().readLines().find { it.startsWith('k1 ') } ==~ /k1 +${b.pid} +ipc,mnt,pid,uts +.*/
    }

    def "exec runs in the node's namespaces: its hostname, and the node's pid namespace (not labsh's)"() {
        given:
        Box b = box('k1', container('kview'))

        when:
        views.exec('k1', 'hostname; readlink /proc/self/ns/pid')
        List<String> lines = shown().readLines()

        then:
        lines[0] == 'kview'
        lines[1] == "pid:[${Namespaces.of(b.pid)[NsType.PID]}]"
        lines[1] != "pid:[${Namespaces.of(Nodes.self())[NsType.PID]}]"
    }

    def "ipcs NODE shows the segments of the node's IPC namespace, as ipcs does there (nsenter), and not the host's"() {
        given:
        Box b = box('k1', container('k1'))
        views.exec('k1', 'ipcmk -M 4096 >/dev/null')
        shown()

        when:
        views.ipcs('k1')
        String mine = shown()
        String reference = run('nsenter', '-t', "${b.pid}", '-i', 'ipcs', '-m')
        List<String> keys = reference.readLines().findAll { it ==~ /0x[0-9a-f]{8} .*/ }.collect { it.split(/\s+/)[0] }

        then:
        keys.size() == 1
        mine.contains("IPC namespace ipc:[${inode(b.pid, 'ipc')}]")
        mine.readLines().findAll { it ==~ /0x[0-9a-f]{8} .*/ }.collect { it.split(/\s+/)[0] } == keys

        when:
        views.ipcs('host')

        then:
        !shown().contains(keys[0])
    }

    def "lsns NODE has the namespaces and types lsns -p PID prints"() {
        given:
        Box b = box('k1', container('k1'))

        when:
        views.lsns('k1')
        Set<List<String>> mine = shown().readLines().drop(1).collect { it.trim().split(/\s+/)[0..1] } as Set
        Set<List<String>> reference = run('lsns', '-n', '-o', 'NS,TYPE', '-p', "${b.pid}").readLines().collect { it.trim().split(/\s+/)[0..1] } as Set

        then:
        mine == reference
    }

    def "a name that is no node is one line with the nodes there are and a suggestion"() {
        given:
        box('k1', container('k1'))

        when:
        views.lsns('k2')

        then:
        IllegalArgumentException e = thrown()
        e.message == "no node 'k2' — did you mean 'k1'? (nodes now: k1, host)"
    }

    def "the picture: each node's own namespaces by inode, and the IPC namespace two nodes share"() {
        given:
        Box a = box('k1', container('k1'))
        Box b = box('k2', LaunchSpec.command('/bin/sleep', '600').join(a.pid).namespaces(NsType.IPC).build())
        Path html = Files.createTempFile('labsh-picture', '.html')

        when:
        Picture p = Picture.of(nodes)
        String tree = p.tree()

        then:
        tree.contains("k1  pid ${a.pid}")
        tree.contains("own:    ipc:[${inode(a.pid, 'ipc')}] mnt:[${inode(a.pid, 'mnt')}] pid:[${inode(a.pid, 'pid')}] uts:[${inode(a.pid, 'uts')}]")
        tree.contains("ipc:[${inode(a.pid, 'ipc')}]  k1, k2")
        inode(a.pid, 'ipc') == inode(b.pid, 'ipc')

        when:
        p.writeHtml(html)

        then:
        Files.readString(html).contains('<svg')
        Files.readString(html).contains(">${inode(a.pid, 'ipc')}</text>")

        cleanup:
        Files.deleteIfExists(html)
    }
}
