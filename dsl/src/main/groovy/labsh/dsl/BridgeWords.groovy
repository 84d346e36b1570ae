package labsh.dsl

import groovy.transform.SelfType
import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.MountInfo
import labsh.kernel.NsType
import labsh.kernel.SysvIpcTable
import labsh.runtime.JoinedThread
import labsh.runtime.bridge.Bridge
import labsh.runtime.bridge.BridgeProtocol
import labsh.runtime.bridge.EchoRole
import labsh.runtime.bridge.FileWait
import labsh.runtime.bridge.RuncContainer

/**
 * The words of seeds 000 and 001: echo programs in containers of their own, and the bridge that
 * joins one container's IPC namespace and another's mount namespace.
 * <pre>
 * EchoServer server = echoServer via: 'files'     // seed 000; 'queues' for seed 001
 * EchoClient client = echoClient via: 'queues'
 * Bridge relay = bridge ipc: client, mnt: server  // any pids: bridge ipc: 4242, mnt: runc('mnt_server')
 * client.type 'hello'                             // ['hello']
 * </pre>
 *
 * <p><b>Protocol options</b> (of all three words; defaults are seed 000's): {@code requestKey: 5566,
 * replyKey: 7788, requestType: 1, replyType: 2, message: 'message', output: 'output'}, and for
 * {@code bridge}, {@code dir:} (the file side's directory as its mount namespace shows it).
 *
 * <p><b>The 256-byte rule</b>: an mtext is 256 bytes and a C reader needs its NUL, so a message
 * carries at most 255 bytes. A longer line is split into pieces of at most 255 bytes, cut only
 * between UTF-8 characters, sent in order, each its own message: a client on queues prints one
 * echo per piece; a bridge that reads a longer file (seed 001's client) sends the pieces one by
 * one and joins their replies into one output file. Nothing is truncated.
 */
@SelfType(LabScript)
trait BridgeWords {
    /** Starts an echo server in a new container (ipc, mnt, pid, uts). {@code via: 'files'} (seed 000) or {@code 'queues'} (seed 001). */
    EchoServer echoServer(Map options) {
        EchoRole role = EchoRole.start(options.via == 'queues' ? EchoRole.Kind.QUEUE_SERVER : fileKind(options.via, EchoRole.Kind.FILE_SERVER),
                protocolOf('/', options), (options.hostname ?: 'echo-server') as String)
        EchoServer s = new EchoServer(role: role)
        say "echo server on ${s.via}: ${role}"
        s
    }

    /** Starts an echo client in a new container; its stdin and stdout are labsh's ({@code client.type 'line'}). {@code via: 'queues'} (seed 000) or {@code 'files'} (seed 001). */
    EchoClient echoClient(Map options) {
        EchoRole role = EchoRole.start(options.via == 'files' ? EchoRole.Kind.FILE_CLIENT : queueKind(options.via, EchoRole.Kind.QUEUE_CLIENT),
                protocolOf('/', options), (options.hostname ?: 'echo-client') as String)
        EchoClient c = new EchoClient(role: role, shown: out)
        say "echo client on ${c.via}: ${role}"
        c
    }

    private static EchoRole.Kind fileKind(Object via, EchoRole.Kind kind) {
        if (via != null && via != 'files') throw new LabException("via: must be 'files' or 'queues', not '${via}'")
        kind
    }

    private static EchoRole.Kind queueKind(Object via, EchoRole.Kind kind) {
        if (via != null && via != 'queues') throw new LabException("via: must be 'queues' or 'files', not '${via}'")
        kind
    }

    /**
     * Joins the IPC namespace of {@code ipc:} and the mount namespace of {@code mnt:} on two
     * threads and relays between them. Each of ipc: and mnt: is a pid, an echo peer, anything with
     * a pid, a pid file's path, or {@code runc('ID')}. {@code client: 'ipc'} (seed 000, the default)
     * or {@code 'mnt'} (seed 001) says which side the client is on; echo peers say it themselves.
     * When a peer exits or the directory vanishes, the bridge stops and says so in one line.
     */
    Bridge bridge(Map options) {
        if (options.ipc == null || options.mnt == null) throw new LabException('bridge: needs ipc: (the queue side) and mnt: (the file side)')
        int ipcPid = pidOf(options.ipc, 'ipc')
        int mntPid = pidOf(options.mnt, 'mnt')
        Bridge.ClientSide side = clientSide(options)
        String dir = options.dir?.toString() ?: (options.mnt instanceof EchoPeer ? ((EchoPeer) options.mnt).dir?.toString() : workingDirectory(mntPid))
        if (dir == null) throw new LabException("bridge: mnt: ${options.mnt} is not on files; give dir:")
        BridgeProtocol protocol = protocolOf(dir, options)
        Bridge b
        try {
            b = Bridge.start(protocol, ipcPid, mntPid, side, { String why -> indent('⚠ ' + why) })
        } catch (IllegalArgumentException e) {
            throw new LabException(e.message)
        }
        say "${b}"
        b
    }

    /** A container started by runc, by its id (`runc state ID` gives its pid). */
    RuncContainer runc(String id) {
        try {
            RuncContainer.named(id)
        } catch (IllegalArgumentException e) {
            throw new LabException(e.message)
        }
    }

    private static Bridge.ClientSide clientSide(Map options) {
        if (options.client != null) {
            if (!(options.client in ['ipc', 'mnt'])) throw new LabException("bridge: client: must be 'ipc' or 'mnt', not '${options.client}'")
            return options.client == 'ipc' ? Bridge.ClientSide.IPC : Bridge.ClientSide.MNT
        }
        if (options.mnt instanceof EchoClient || options.ipc instanceof EchoServer) return Bridge.ClientSide.MNT
        Bridge.ClientSide.IPC
    }

    private static BridgeProtocol protocolOf(String dir, Map options) {
        try {
            BridgeProtocol.of(dir, options as Map<String, ?>)
        } catch (IllegalArgumentException e) {
            throw new LabException(e.message)
        }
    }

    /** ipc: or mnt: as a pid: a number, something with a pid, a runc container, or a pid file. */
    private static int pidOf(Object target, String key) {
        int pid
        if (target instanceof Number) pid = ((Number) target).intValue()
        else if (target instanceof EchoPeer) pid = ((EchoPeer) target).pid
        else if (target instanceof RuncContainer) pid = ((RuncContainer) target).pid()
        else if (target instanceof CharSequence || target instanceof Path || target instanceof File) {
            Path file = Path.of(target.toString())
            if (!Files.isRegularFile(file)) throw new LabException("bridge: ${key}: '${target}' is neither a pid nor a pid file")
            String text = Files.readString(file).trim()
            if (!(text ==~ /\d+/)) throw new LabException("bridge: ${key}: the pid file ${file} holds '${text}', not a pid")
            pid = text as int
        } else if (target.respondsTo('pid') || target.hasProperty('pid')) {
            pid = (target.respondsTo('pid') ? target.invokeMethod('pid', null) : target.getProperty('pid')) as int
        } else {
            throw new LabException("bridge: ${key}: give a pid, a container, runc('ID') or a pid file, not ${target.getClass().simpleName}")
        }
        if (pid <= 0 || !Files.isDirectory(Path.of("/proc/${pid}"))) throw new LabException("bridge: ${key}: no process with pid ${pid}")
        pid
    }

    /**
     * A process's working directory (the seed's servers work in theirs): /proc/PID/cwd, which the
     * kernel prints relative to the root of the process's own mount namespace when that root is
     * not reachable from ours (d_path), i.e. as the container names it.
     */
    private static String workingDirectory(int pid) {
        Files.readSymbolicLink(Path.of("/proc/${pid}/cwd")).toString()
    }

    /** The keys of the message queues in {@code peer}'s IPC namespace: /proc/sysvipc/msg, read on a thread joined to it. */
    Set<Integer> queueKeysIn(EchoPeer peer) {
        JoinedThread t = JoinedThread.join("look-ipc-${peer.pid}", peer.pid, NsType.IPC)
        try {
            t.call { SysvIpcTable.messageQueues()*.key() as Set<Integer> }
        } finally {
            t.close()
        }
    }

    /**
     * The last sender and the last receiver of the queue {@code key} in {@code peer}'s IPC
     * namespace: the lspid and lrpid columns of /proc/sysvipc/msg (pids as the host sees them,
     * the reading thread being in the host's pid namespace). Empty if there is no such queue.
     */
    List<Integer> queuePids(EchoPeer peer, int key) {
        JoinedThread t = JoinedThread.join("look-ipc-${peer.pid}", peer.pid, NsType.IPC)
        try {
            t.call {
                SysvIpcTable.Row row = SysvIpcTable.messageQueues().find { SysvIpcTable.Row r -> r.key() == key }
                row == null ? [] : [row.columns().lspid as Integer, row.columns().lrpid as Integer]
            }
        } finally {
            t.close()
        }
    }

    /** labsh's own pid: what the kernel records for the bridge's threads. */
    int getLabshPid() { (int) ProcessHandle.current().pid() }

    /** The keys of the message queues in the host's IPC namespace (/proc/sysvipc/msg). */
    Set<Integer> hostQueueKeys() { SysvIpcTable.messageQueues()*.key() as Set<Integer> }

    /** The file system type mounted at {@code dir} in {@code peer}'s mount namespace (/proc/PID/mountinfo), or null. */
    String mountIn(EchoPeer peer, Path dir) { MountInfo.at(MountInfo.of(peer.pid), dir.toString())?.fsType() }

    /** The file system type mounted at {@code dir} on the host (/proc/self/mountinfo), or null. */
    String hostMount(Path dir) { MountInfo.at(MountInfo.ofThisThread(), dir.toString())?.fsType() }

    /** The inode of a namespace of one thread of labsh: /proc/self/task/TID/ns/TYPE. */
    long threadNamespace(int tid, String type) {
        String link = Files.readSymbolicLink(Path.of("/proc/${ProcessHandle.current().pid()}/task/${tid}/ns/${type}")).toString()
        link.substring(link.indexOf('[') + 1, link.indexOf(']')) as long
    }

    /** Waits (inotify, no polling) until {@code name} appears in the peer's directory, in its mount namespace. */
    void waitForFile(EchoPeer peer, String name) {
        FileWait.until(Path.of("/proc/${peer.pid}/root${peer.dir}/${name}"), java.time.Duration.ofSeconds(10))
    }

    /** A file of the peer's directory as its mount namespace shows it (through /proc/PID/root). */
    String fileInside(EchoPeer peer, String name) {
        Files.readString(Path.of("/proc/${peer.pid}/root${peer.dir}/${name}"))
    }

    /** Reads lines from the terminal and types each into the client, until end of input (Ctrl-D). */
    void talk(EchoClient client) {
        say 'type lines for the client; Ctrl-D ends'
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, 'UTF-8'))
        for (String l = in.readLine(); l != null; l = in.readLine()) client.type(l)
    }
}
