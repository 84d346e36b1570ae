package labsh.dsl

import groovy.transform.SelfType
import java.lang.ProcessBuilder.Redirect
import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.time.Duration
import labsh.kernel.Beneath
import labsh.kernel.Cgroup
import labsh.kernel.Cgroups
import labsh.kernel.Errno
import labsh.kernel.KernelException
import labsh.kernel.Libc
import labsh.kernel.NsType
import labsh.runtime.CPrograms
import labsh.runtime.HostRoute
import labsh.runtime.JoinedThread
import labsh.runtime.Ledger
import labsh.runtime.LaunchSpec
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import labsh.runtime.VirtualMachine
import labsh.runtime.VmImage
import labsh.runtime.container.ContainerLimits
import labsh.runtime.ex5.Ex5Client
import labsh.runtime.ex5.Ex5Root
import labsh.runtime.ex5.Ex5Server
import labsh.runtime.ex5.ScanReport
import labsh.kernel.SharedMemory
import labsh.kernel.SysvIpcTable

/**
 * The words of seed 002 (ex5): servers on the host, in a container and in a VM, and the client
 * that tells them apart.
 * <pre>
 * def info = workdir 'ex5-info'
 * server on: host, info: info, name: 'server_1_host', port: 5101, shm: key, projId: 11,
 *        shmMessage: 'host_shm', socketMessage: 'host_socket'
 * server on: container(hostname: 'box'), ...
 * server on: vm(), ...
 * def report = client info
 * </pre>
 */
@SelfType(LabScript)
trait Ex5Words {
    /** The host itself, as a place to run a server. */
    HostPlace getHost() { new HostPlace() }

    /**
     * A container: own ipc, mnt, pid and uts namespaces, the host's network, a read-only busybox root
     * of its own with the info directory bound in. Options: hostname, namespaces.
     */
    ContainerPlace container(Map options = [:]) {
        ContainerPlace c = new ContainerPlace()
        if (options.hostname) c.hostname = options.hostname as String
        if (options.namespaces) c.namespaces = EnumSet.copyOf((options.namespaces as List).collect { NsType.byName(it as String) })
        c
    }

    /**
     * A virtual machine (qemu booting the distribution's kernel), boxed in: qemu as nobody under its
     * seccomp filter, a guest that reaches nothing on the network, a 9p share without setuid or symlinks.
     */
    VmPlace vm(Map options = [:]) {
        VmPlace v = new VmPlace()
        if (options.shm) v.shmPath = options.shm as String
        v
    }

    /**
     * A fresh, empty directory for this lab (in this run's work directory), recorded in the ledger
     * and removed at the end. One name, not a path: {@code workdir '..'} would name the directory
     * of every run, and the end of the lab would remove it.
     */
    Path workdir(String name) {
        String n = workName('workdir', name)
        Path base = labWorkDir()
        Path dir = base.resolve(n)
        Ledger.current().intend('dir', 'path', dir.toString())
        Beneath.open(base).withCloseable { Beneath b -> b.mkdirs(n, 0755) }
        dir
    }

    /**
     * A fresh empty file (for ftok, which needs an existing path), removed at the end. Made with
     * O_CREAT|O_EXCL|O_NOFOLLOW beneath the work directory (openat2 RESOLVE_BENEATH): it never
     * truncates a file that is there, and never leaves the directory, whatever the name.
     */
    Path workfile(String name) {
        String n = workName('workfile', name)
        Path base = labWorkDir()
        Path f = base.resolve(n)
        Ledger.Entry e = Ledger.current().intend('file', 'path', f.toString())
        Beneath.open(base).withCloseable { Beneath b ->
            try {
                Libc.close(b.openFd(n, Beneath.O_WRONLY | Beneath.O_CREAT | Beneath.O_EXCL | Beneath.O_NOFOLLOW, 0644))
            } catch (KernelException ex) {
                e.removed() // not made: the name is someone else's (or ours from an earlier call), not to delete at the end
                if (ex.is(Errno.EEXIST)) throw new LabException("workfile '${n}': already exists in this run's work directory ${base}; give each workfile its own name")
                throw new LabException("workfile '${n}': cannot create it in ${base}: ${ex.message}")
            }
        }
        f
    }

    /**
     * One path component of letters, digits, '.', '_', '-': not '.' or '..', not an option, and at
     * most 100 characters (far under NAME_MAX, 255, so a path built on it stays readable).
     */
    private static String workName(String word, String name) {
        int max = 100
        String shown = name == null ? '' : (name.length() > 40 ? name.take(40) + '...' : name)
        if (!name) throw new LabException("${word} '': give it a name (letters, digits, '.', '_' or '-')")
        if (name in ['.', '..']) throw new LabException("${word} '${name}': '${name}' names an existing directory (this one or its parent), not a fresh ${word == 'workdir' ? 'directory' : 'file'}")
        if (name.contains('/')) throw new LabException("${word} '${shown}': one name, without '/' (it is made in this run's work directory)")
        if (name.startsWith('-')) throw new LabException("${word} '${shown}': a name must not start with '-' (a command given it would read an option)")
        if (name.length() > max) throw new LabException("${word} '${shown}': ${name.length()} characters, at most ${max}")
        if (!(name ==~ /[A-Za-z0-9._-]+/)) throw new LabException("${word} '${shown}': use letters, digits, '.', '_' or '-'")
        name
    }

    /** stateDir()/work/PID: this run's scratch space, itself recorded so that nothing stays. */
    private Path labWorkDir() {
        Path state = Ledger.stateDir().toAbsolutePath()
        String rel = "work/${ProcessHandle.current().pid()}"
        Path dir = state.resolve(rel)
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Ledger.current().intend('dir', 'path', dir.toString())
            Beneath.open(state).withCloseable { Beneath b -> b.mkdirs(rel, 0755) }
        }
        dir
    }

    /**
     * Starts an ex5 server (seed 002) and waits until its info file is written. Options:
     * on (host, container(...), vm()), info (the info directory), name (the info file's name),
     * port, shm (ftok's path), projId, shmMessage, socketMessage, timeout (accept timeout in s, 120).
     */
    Server server(Map options) {
        if (options.on != null && !(options.on instanceof Place)) {
            throw new LabException("server: on: must be host, container(...) or vm() (got ${options.on.getClass().simpleName} ${options.on})")
        }
        Place place = (options.on ?: host) as Place
        Path info = options.info instanceof Path ? (Path) options.info : null
        if (info == null || !Files.isDirectory(info)) throw new LabException("server: info: must name an existing directory, e.g. workdir 'info' (got ${options.info})")
        String name = Ex5Options.fileName('name', required(options, 'name'))
        int port = Ex5Options.port(options.port)
        int projId = Ex5Options.projId(options.projId)
        String shm = options.shm?.toString() ?: (place instanceof VmPlace ? ((VmPlace) place).shmPath : null)
        if (shm == null) throw new LabException('server: shm: must name the path given to ftok')
        String shmMessage = Ex5Options.word('shmMessage', options.shmMessage)
        String socketMessage = Ex5Options.word('socketMessage', options.socketMessage)
        int timeout = options.timeout == null ? 120 : (options.timeout as int)
        Path infoFile = info.resolve(name)
        // the info file is the server's to delete, but a killed server cannot: record it first
        Ledger.Entry fileEntry = Ledger.current().intend('file', 'path', infoFile.toString())
        Server s = new Server(name: name, place: place, port: port, infoFile: infoFile)
        switch (place) {
            case HostPlace: startOnHost(s, shm, projId, shmMessage, socketMessage, timeout); break
            case ContainerPlace: startInContainer(s, (ContainerPlace) place, shm, projId, shmMessage, socketMessage, timeout); break
            case VmPlace: startInVm(s, shm, projId, shmMessage, socketMessage, timeout); break
            default: throw new LabException("server: on: must be host, container(...) or vm(), not ${place}")
        }
        Closure inner = s.stopper
        s.stopper = {
            inner?.call()
            // fd-relative: a container or the VM may have swapped the directory's content meanwhile
            if (Files.isDirectory(info, LinkOption.NOFOLLOW_LINKS)) Beneath.open(info).withCloseable { Beneath b -> b.deleteTree(name) }
            fileEntry.removed()
        }
        say "${name}: ${place}, pid ${s.pid}, info file ${infoFile}"
        s
    }

    private static String required(Map options, String key) {
        def v = options[key]
        if (v == null || v.toString().isEmpty()) throw new LabException("server: ${key}: is required")
        v.toString()
    }

    /** The Java server (labsh.runtime.ex5.Ex5Server), on a thread of this JVM, on the host. */
    private void startOnHost(Server s, String shm, int projId, String shmMessage, String socketMessage, int timeout) {
        Ex5Server.Setup setup = new Ex5Server.Setup(s.infoFile.parent, s.name, s.port, shm, projId)
        Ex5Server running = Ex5Server.startInBackground(setup, shmMessage, socketMessage, Duration.ofSeconds(timeout))
        s.pid = (int) ProcessHandle.current().pid()
        s.stopper = { running.close() }
    }

    /**
     * The ex5 client on the host (seed 002): reads the info files in {@code infoDir}, reaches what
     * it can, prints the seed's report exactly, and returns it for checks.
     */
    ScanReport client(Path infoDir) {
        client([:], infoDir)
    }

    /**
     * The client with options: {@code ipcOf: server} runs it on a thread joined to that server's
     * IPC namespace (setns(2) on one thread, shared/DESIGN.md), as a second container started with
     * {@code --ipc=container:X} would be: the server's segment becomes reachable.
     */
    ScanReport client(Map options, Path infoDir) {
        Server ipcOf = options.ipcOf as Server
        ScanReport report
        if (ipcOf == null) {
            report = new Ex5Client().scan(infoDir)
        } else {
            JoinedThread joined = JoinedThread.join('ex5-client', ipcOf.pid, NsType.IPC)
            try {
                say "the client runs on thread ${joined.tid()}, joined to the IPC namespace of pid ${ipcOf.pid}"
                report = joined.call { new Ex5Client().scan(infoDir) }
            } finally {
                joined.close()
            }
        }
        report.problems().each { String p -> indent("info file ${p}") }
        out.print(report.format())
        out.flush()
        report
    }

    /** The keys of the SysV segments in this thread's IPC namespace, from /proc/sysvipc/shm. */
    Set<Integer> sysvShmKeys() { SysvIpcTable.sharedMemory()*.key() as Set<Integer> }

    /** ftok(path, projId), as the servers and the client compute it. */
    int ftokKey(Path path, int projId) { SharedMemory.ftok(path.toString(), projId) }

    /** True when qemu and a kernel image are installed. */
    boolean vmAvailable() { VirtualMachine.available() }

    /**
     * The names in an info directory now, but for qemu's .virtfs_metadata (its 9p mapping, where
     * the file system has no user xattrs: VirtualMachine), which is not a server's.
     */
    List<String> infoFiles(Path dir) {
        Files.list(dir).withCloseable { s -> s.map { Path p -> p.fileName.toString() }.filter { it != '.virtfs_metadata' }.sorted().toList() }
    }

    /**
     * The seed's C server (linked statically) as the container's payload, under an init that is
     * the container's PID 1, in a read-only busybox root of its own ({@link Ex5Root}): the info
     * directory is the only host directory bound in, and no capability beyond Docker's defaults.
     */
    private void startInContainer(Server s, ContainerPlace c, String shm, int projId, String shmMessage,
                                  String socketMessage, int timeout) {
        Path bin = CPrograms.ex5().resolve('ex5-server-static')
        Path info = s.infoFile.parent.toAbsolutePath().normalize()
        // one directory per start: a lab may start a second server of the same name while the first still runs
        Path containers = Ledger.stateDir().resolve('containers').toAbsolutePath()
        int n = 1
        while (Files.exists(containers.resolve("ex5-${ProcessHandle.current().pid()}-${s.name}-${n}".toString()), LinkOption.NOFOLLOW_LINKS)) n++
        Path dir = containers.resolve("ex5-${ProcessHandle.current().pid()}-${s.name}-${n}".toString())
        Ex5Root root
        try {
            root = Ex5Root.prepare(dir, bin, info, Path.of(shm))
        } catch (IllegalArgumentException e) {
            throw new LabException("server ${s.name}: ${e.message}")
        }
        NsProcess p
        Cgroup cgroup = null
        try {
            // like every container: the default pids and memory limits and the device allow-list (issue 12)
            cgroup = Cgroups.create(dir.fileName.toString())
            ContainerLimits.NONE.applyTo(cgroup)
            cgroup.restrictDevices()
            Cgroup group = cgroup
            LaunchSpec spec = LaunchSpec.command(Ex5Root.SERVER, info.toString(), s.name, "${s.port}".toString(), shm,
                                                 "${projId}".toString(), shmMessage, socketMessage)
                    .namespaces(c.namespaces).hostname(c.hostname).init(true)
                    .rootfs(root.root().toString()).workDir('/')
                    .confined(true) // the seed's server needs no capability: it must not get CAP_SYS_ADMIN
                    .bind(info.toString(), info.toString()) // the --bind of singularity: the info directory, shared
                    .clearEnv().env('PATH', '/bin:/sbin:/usr/bin:/usr/sbin')
                    .env('EX5_ACCEPT_TIMEOUT', "${timeout}".toString())
                    .stdout(Redirect.INHERIT).stderr(Redirect.INHERIT)
                    .beforeStart { int pid -> group.add(pid) }
                    .build()
            p = NativeStage.start(spec)
        } catch (Exception e) {
            try {
                cgroup?.remove()
            } finally {
                root.close()
            }
            throw e
        }
        s.pid = p.pid()
        Cgroup group = cgroup
        s.stopper = {
            try {
                p.close()
            } finally {
                try {
                    group.remove()
                } finally {
                    root.close()
                }
            }
        }
        say "${s.name}: ${root}, the info directory ${info} bound in, ${ContainerLimits.NONE}"
        waitForInfoFile(s, Duration.ofSeconds(10)) { p.alive }
    }

    private void startInVm(Server s, String shm, int projId, String shmMessage, String socketMessage, int timeout) {
        // The guest is 10.0.2.15 behind qemu's NAT. A host connect() to it would leave the machine
        // through the default route; an unreachable route makes it fail at once, sending nothing.
        HostRoute route = HostRoute.exists('10.0.2.0/24') ? null : HostRoute.unreachable('10.0.2.0/24')
        VirtualMachine machine
        try {
            machine = VirtualMachine.start(VmImage.prepare(), s.infoFile.parent,
                    [name: s.name, port: "${s.port}".toString(), shmpath: shm, projid: "${projId}".toString(),
                     shmmsg: shmMessage, sockmsg: socketMessage, timeout: "${timeout}".toString()])
            s.pid = (int) machine.pid()
            say "booting a VM (qemu pid ${s.pid}); its server writes the info file through 9p"
            machine.waitForFile(s.infoFile, Duration.ofSeconds(180))
        } catch (Exception e) {
            machine?.close()
            route?.close()
            throw e
        }
        s.stopper = {
            machine.close()
            route?.close()
        }
    }

    private static void waitForInfoFile(Server s, Duration timeout, Closure<Boolean> alive) {
        long deadline = System.nanoTime() + timeout.toNanos()
        while (!Files.exists(s.infoFile, LinkOption.NOFOLLOW_LINKS)) {
            if (!alive.call()) throw new LabException("${s.name}: the server exited before writing its info file")
            if (System.nanoTime() > deadline) throw new LabException("${s.name}: no info file after ${timeout.seconds} s")
            Thread.sleep(20)
        }
    }
}
