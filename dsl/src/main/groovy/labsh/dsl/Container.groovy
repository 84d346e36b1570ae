package labsh.dsl

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import labsh.kernel.Beneath
import labsh.kernel.Cgroup
import labsh.kernel.Cgroups
import labsh.kernel.KernelException
import labsh.kernel.MountInfo
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import labsh.runtime.LaunchSpec
import labsh.runtime.Ledger
import labsh.runtime.NativeStage
import labsh.runtime.NsProcess
import labsh.runtime.container.ContainerDir
import labsh.runtime.container.ContainerLimits
import labsh.runtime.container.DiskUsage
import labsh.runtime.container.Enter
import labsh.runtime.container.Overlay
import labsh.runtime.container.Rootfs
import labsh.runtime.container.ShellSession

/**
 * A container of seed 004: its own pid, mnt, uts, ipc and net namespaces; a root image mounted on
 * the host at {@link #getRoot} (overlayfs with an upper layer when writable) that nsinit
 * pivot_root(2)s into, detaching the old root; an init as PID 1 (nsinit's init mode) whose child is
 * an interactive {@code sh -i} with the container's prompt (PS1); a cgroup with limits (the lab's,
 * or {@link ContainerLimits}' defaults) and the device allow-list; an optional extra mount point.
 * Made by the word {@code container 'c1', ...} ({@link ContainerWords}).
 *
 * <pre>
 *   Container c = container 'c1', rootfs: busybox(), writable: true, prompt: 'c1> ', memory: '64m', cpu: 50, mount: '/mypoint'
 *   c.exec('hostname')           // a command in its namespaces (and cgroup): "c1"
 *   c.shell.type('echo $PS1')    // a line typed into its own interactive shell
 *   c.mountinfo(); c.namespaces(); c.cgroup.oomKills(); c.stop()
 * </pre>
 * Everything it makes is in the ledger (container-dir, mount, cgroup, process) before it exists.
 */
class Container implements Node {
    /** The namespaces a container gets of its own unless told otherwise. */
    static final Set<NsType> DEFAULT_NAMESPACES = EnumSet.of(NsType.PID, NsType.MNT, NsType.UTS, NsType.IPC, NsType.NET)
    /** The environment of everything run inside: busybox's paths, nothing of the host's. */
    static final Map<String, String> ENV = [PATH: '/bin:/sbin:/usr/bin:/usr/sbin', HOME: '/root', TERM: 'dumb']

    final String name
    final String hostname
    final String prompt
    final Rootfs rootfs
    final boolean writable
    final ContainerLimits limits
    final Set<NsType> namespaces
    /** The container's own directory on the host: upper/, work/, the extra mount's source, the root's mount point. */
    final Path dir
    /** Host directories bound into it (option binds:), host path -> path inside: e.g. a directory two containers share. */
    final Map<Path, String> binds
    /** Parts of the confinement the lab asked to leave out (option unconfined:), for its init and every exec. */
    final Set<LaunchSpec.Relax> relaxed
    /** The host directory bind-mounted at {@code limits.mountPoint}, or null. */
    Path mountSource
    Overlay overlay
    /** Its cgroup: every container has one (limits, the device allow-list). */
    Cgroup cgroup
    /** True when the kernel enforces the device allow-list on its cgroup (v1 devices controller, or the v2 device program). */
    boolean devicesEnforced
    NsProcess process
    /** The interactive shell the init runs (its stdin and output are labsh's pipes). */
    ShellSession shell

    private Ledger.Entry dirEntry, mountPointEntry
    private boolean stopped

    Container(String name, Map<String, Object> settings) {
        this.name = name
        this.hostname = settings.hostname as String
        this.prompt = settings.prompt as String
        this.rootfs = settings.rootfs as Rootfs
        this.writable = settings.writable as boolean
        this.limits = settings.limits as ContainerLimits
        this.namespaces = settings.namespaces as Set<NsType>
        this.dir = settings.dir as Path
        this.binds = (settings.binds ?: [:]) as Map<Path, String>
        this.relaxed = (settings.relaxed ?: EnumSet.noneOf(LaunchSpec.Relax)) as Set<LaunchSpec.Relax>
    }

    /** The host pid of its PID 1 (the init). */
    int getPid() { process.pid() }

    /** Where its root is mounted on the host (the overlay's merged directory). */
    Path getRoot() { overlay.mountPoint() }

    /** Its overlay upper directory on the host (null when read-only): all it ever wrote. */
    Path getUpper() { overlay.upper() }

    /**
     * Makes the directories and mounts, the cgroup, and starts the init; on any failure undoes
     * what it made and rethrows. {@code mountPoint} is where the root goes on the host.
     */
    Container start(Path mountPoint) {
        try {
            dirEntry = ContainerDir.create(dir)
            if (!mountPoint.startsWith(dir) && !Files.exists(mountPoint)) mountPointEntry = ContainerDir.create(mountPoint)
            overlay = Overlay.mount(rootfs, dir, mountPoint, writable)
            LaunchSpec.Builder spec = LaunchSpec.command('/bin/sh', '-i')
                    .namespaces(namespaces).hostname(hostname).rootfs(root.toString()).init(true)
                    .confined(true).relax(relaxed) // Docker's default capabilities, seccomp profile, masked /proc (nsinit -C)
                    .clearEnv().workDir('/').pipes().mergeStderr()
            ENV.each { String k, String v -> spec.env(k, v) }
            spec.env('PS1', prompt)
            if (limits.mountPoint() != null) {
                mountSource = dir.resolve('mount-source')
                Files.createDirectories(mountSource)
                bindInto(spec, mountSource, limits.mountPoint())
            }
            binds.each { Path host, String inside -> bindInto(spec, host, inside) }
            // every container, limits or not: the defaults and the device list live there (issue 12)
            cgroup = Cgroups.create("container-${name}")
            limits.applyTo(cgroup)
            devicesEnforced = cgroup.restrictDevices()
            spec.beforeStart { int pid -> cgroup.add(pid) }
            process = NativeStage.start(spec.build())
            shell = new ShellSession(process.stdin(), process.stdout(), prompt)
            shell.awaitPrompt(Duration.ofSeconds(10))
            ContainerEvents.fire('started', this)
            this
        } catch (Exception e) {
            stop()
            throw e
        }
    }

    /**
     * nsinit binds onto an existing directory: made in the upper layer when it is not in the image.
     * Made beneath the root (openat2 RESOLVE_IN_ROOT): a symlink in the image, even an absolute one
     * or one with '..', resolves inside the root, never to the host's directory of that name.
     */
    private void bindInto(LaunchSpec.Builder spec, Path host, String inside) {
        try {
            Beneath.open(root, Beneath.AS_ROOT).withCloseable { Beneath r -> r.mkdirs(inside.substring(1), 0755) }
        } catch (KernelException e) {
            throw new LabException("container ${name}: cannot make ${inside} to bind onto (${e.message}); is a part of it a symlink or a file in the image?")
        }
        spec.bind(host.toString(), inside)
    }

    /** Runs {@code command} with /bin/sh -c in its namespaces and cgroup (nsinit join mode); status and output. */
    NativeStage.Result run(String command) {
        requireRunning()
        NativeStage.run(entry(['/bin/sh', '-c', command]).stdout(ProcessBuilder.Redirect.PIPE).mergeStderr().build())
    }

    /** Like {@link #run} but returns the output (without its last newline); a non-zero status is an error. */
    String exec(String command) {
        NativeStage.Result r = run(command)
        String out = r.output().endsWith('\n') ? r.output()[0..-2] : r.output()
        if (r.exitCode() != 0) {
            throw new LabException("in container ${name}: '${command}' exited with status ${r.exitCode()}" +
                    (out ? ': ' + out.readLines().last() : ''))
        }
        out
    }

    /** Types a line into the container's own interactive shell (the init's child) and returns its output. */
    String type(String line) {
        requireRunning()
        shell.type(line, Duration.ofSeconds(30))
    }

    /** ping -c 1 from here to {@code other}'s address on a link or network between them (seed 004, 6.1: {@link NetWords}). */
    NetProbe ping(Container other) { Net.ping(this, other) }

    /** The kernel's view of its mounts: /proc/PID/mountinfo of its init (paths as seen inside). */
    List<MountInfo> mountinfo() { MountInfo.of(pid) }

    /** The kernel's view of its namespaces: the inodes behind /proc/PID/ns/* of its init. */
    Map<NsType, Long> namespaces() { Namespaces.of(pid) }

    /** Bytes its own layer uses on disk (du of the upper directory; 0 when read-only). */
    long diskUsage() { upper == null ? 0L : DiskUsage.bytes(upper) }

    /**
     * The launch of an interactive shell inside it, on the caller's terminal (for the labsh shell's
     * {@code attach}): {@code NativeStage.start(c.attach()).waitFor()}.
     */
    LaunchSpec attach() {
        requireRunning()
        entry(['/bin/sh', '-i']).env('PS1', prompt).stdin(ProcessBuilder.Redirect.INHERIT)
                .stdout(ProcessBuilder.Redirect.INHERIT).stderr(ProcessBuilder.Redirect.INHERIT).build()
    }

    LaunchSpec.Builder entry(List<String> command) {
        requireRunning()
        Enter.into(pid, namespaces, ENV, cgroup, true, command).relax(relaxed)
    }

    boolean isRunning() { process != null && !stopped && process.alive }

    /**
     * Stops it and removes everything it made, in the reverse order: the init (and with it every
     * process of its pid namespace, pid_namespaces(7)), the cgroup, the root's mount, its directory.
     */
    void stop() {
        if (stopped) return
        if (running) ContainerEvents.fire('stopping', this)
        stopped = true
        shell?.close()
        process?.close()
        cgroup?.remove()
        overlay?.unmount()
        [mountPointEntry, dirEntry].findAll { it != null }.each { Ledger.Entry e ->
            ContainerDir.removeRecorded(e.fields())
            e.removed()
        }
    }

    private void requireRunning() {
        if (!running) throw new LabException("container ${name} is not running")
    }

    String toString() { "container ${name} (pid ${process?.pid()}, ${rootfs}, ${writable ? 'writable' : 'read-only'})" }
}
