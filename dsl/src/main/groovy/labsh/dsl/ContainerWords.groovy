package labsh.dsl

import groovy.transform.SelfType
import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.Cgroups
import labsh.kernel.NsType
import labsh.runtime.LaunchSpec
import labsh.runtime.Ledger
import labsh.runtime.NativeStage
import labsh.runtime.container.ContainerLimits
import labsh.runtime.container.Rootfs

/**
 * The words of seed 004's mini container (problems 1B and 5):
 * <pre>
 * def image = busybox()                          // or rootfs('/srv/rootfs'), rootfs('rootfs.tar')
 * Container c1 = container 'c1', rootfs: image, writable: true, prompt: 'c1> ',
 *                                memory: '64m', cpu: 50, mount: '/mypoint'
 * </pre>
 * Options of {@code container}: rootfs (a Rootfs, a directory or a .tar path; default busybox()),
 * writable (an overlay upper layer; default false: a read-only bind), prompt (PS1 of its shell;
 * default "NAME# "), hostname (default NAME), memory (bytes, or with k/M/G; default 512M, and
 * every container also has pids.max 1024: {@link ContainerLimits}), cpu (percent of one CPU),
 * mount (an extra mount point, e.g. /mypoint, bound to a host directory), binds (host
 * directories bound inside, e.g. one two containers share: {@code binds: [(dir): '/shared']}), at (where its root
 * is mounted on the host; default {@code <state>/containers/NAME/root}, never under /tmp),
 * namespaces (default pid, mnt, uts, ipc, net), unconfined (parts of Docker's default confinement to
 * leave out, by name: ['seccomp'], ['proc']; labsh says so in its output). Every option is checked
 * before anything is made.
 */
@SelfType(LabScript)
trait ContainerWords {
    private static final Set<String> CONTAINER_OPTIONS = ['rootfs', 'writable', 'prompt', 'hostname', 'memory', 'cpu',
                                                          'mount', 'binds', 'at', 'namespaces', 'unconfined'] as Set

    /** A root image built from the host's static busybox (recorded; removed at the end of the lab). */
    Rootfs busybox() {
        Rootfs r = Rootfs.busybox(newImageDir('busybox'))
        say "image: ${r}, in ${r.single()}"
        r
    }

    /** A root image from a directory (used as it is) or a tar file (unpacked, recorded). */
    Rootfs rootfs(Object pathOrTar) {
        Path p = Path.of(pathOrTar.toString()).toAbsolutePath().normalize()
        try {
            if (Files.isRegularFile(p) || p.fileName.toString() ==~ /.*\.(tar|tar\.gz|tgz|tar\.xz)/) {
                Rootfs r = Rootfs.tar(p, newImageDir('tar'))
                say "image: ${r.unpacked()}"
                return r
            }
            return Rootfs.directory(p)
        } catch (IllegalArgumentException e) {
            throw new LabException(e.message)
        }
    }

    /** A container with the defaults (a read-only busybox root). */
    Container container(String name) { container([:], name) }

    /** Starts a container (see this trait's comment for the options). */
    Container container(Map options, String name) {
        if (!(name ==~ /[a-z][a-z0-9-]{0,30}/)) throw new LabException("container '${name}': use lower-case letters, digits and '-' (a hostname)")
        Set<String> unknown = (options.keySet()*.toString() as Set<String>) - CONTAINER_OPTIONS
        if (unknown) throw new LabException("container ${name}: unknown option ${unknown.join(', ')} (known: ${CONTAINER_OPTIONS.join(', ')})")
        ContainerLimits limits
        try {
            limits = ContainerLimits.parse(options.memory, options.cpu, options.mount)
        } catch (IllegalArgumentException e) {
            throw new LabException("container ${name}: ${e.message}")
        }
        Path dir = Ledger.stateDir().resolve('containers').resolve(name).toAbsolutePath()
        Path at = options.at ? Path.of(options.at.toString()).toAbsolutePath().normalize() : dir.resolve('root')
        if (at.startsWith('/tmp')) {
            throw new LabException("container ${name}: ${options.at ? 'at: ' : 'its root, '}${at}, is under /tmp; seed 004 asks for a directory outside /tmp" +
                    (options.at ? '' : ' (labsh\'s state directory is there: give at: a directory outside /tmp)'))
        }
        if (Files.exists(at) && (!Files.isDirectory(at) || Files.list(at).withCloseable { it.findFirst().present })) {
            throw new LabException("container ${name}: at: ${at} must be an empty directory or not exist yet")
        }
        Set<NsType> namespaces = options.namespaces ? EnumSet.copyOf((options.namespaces as List).collect { NsType.byName(it as String) })
                                                    : EnumSet.copyOf(Container.DEFAULT_NAMESPACES)
        if (!namespaces.containsAll([NsType.PID, NsType.MNT, NsType.UTS])) {
            throw new LabException("container ${name}: namespaces must include pid, mnt and uts (its own init, root and hostname)")
        }
        Rootfs image = options.rootfs == null ? busybox() : options.rootfs instanceof Rootfs ? (Rootfs) options.rootfs : rootfs(options.rootfs)
        boolean writable = options.writable as boolean
        Map<Path, String> binds = bindsOption(name, options.binds)
        Set<LaunchSpec.Relax> relaxed = unconfinedOption(name, options.unconfined)
        List<String> targets = (limits.mountPoint() ? [limits.mountPoint()] : []) + binds.values()
        String missing = writable ? null : targets.find { String t -> !Files.isDirectory(image.layers()[0].resolve(t.substring(1))) }
        if (missing) throw new LabException("container ${name}: ${missing} is not a directory of the read-only image; add writable: true")
        Container c = new Container(name, [hostname: options.hostname ?: name, prompt: options.prompt ?: "${name}# ".toString(),
                                           rootfs: image, writable: writable, limits: limits, namespaces: namespaces, dir: dir,
                                           binds: binds, relaxed: relaxed])
        c.start(at)
        say "${name}: pid ${c.pid} on the host, root ${c.root} (${c.overlay}), ${limits}"
        if (!c.devicesEnforced) say "${name}: the device allow-list is not enforced (${Cgroups.version() == Cgroups.Version.V1 ? 'no v1 devices controller is mounted' : 'the kernel refused the v2 device program'}); only nodev on its root keeps device nodes out"
        relaxed.each { LaunchSpec.Relax r -> say "${name}: ${r.notice()}" }
        c
    }

    /**
     * A process in new namespaces, like {@code unshare -f --TYPE... sleep 3600} (no root image).
     * Options: namespaces (a list: pid, mnt, uts, ipc, net, user, cgroup), proc (where to mount its
     * proc when pid and mnt are new: '/proc', the default, or another directory such as '/tmp/foo',
     * which is then made if missing and the host's /proc is left in place).
     */
    Unshared unshare(Map options) {
        if (!(options.namespaces instanceof List) || !options.namespaces) throw new LabException("unshare: namespaces: give a list, e.g. ['pid', 'mnt']")
        Set<NsType> types
        try {
            types = EnumSet.copyOf((options.namespaces as List).collect { NsType.byName(it as String) })
        } catch (IllegalArgumentException e) {
            throw new LabException("unshare: ${e.message}")
        }
        boolean procPossible = types.containsAll([NsType.PID, NsType.MNT])
        String proc = options.proc?.toString() ?: (procPossible ? '/proc' : null)
        if (proc && !procPossible) throw new LabException('unshare: proc: needs both a pid and a mnt namespace of its own')
        if (proc && !proc.startsWith('/')) throw new LabException("unshare: proc: ${proc} must be an absolute path")
        LaunchSpec.Builder spec = LaunchSpec.command('sleep', '3600').namespaces(types).init(true)
        if (proc && proc != '/proc') {
            Path at = Path.of(proc)
            if (!Files.isDirectory(at)) {
                Ledger.current().intend('dir', 'path', at.toString())
                Files.createDirectories(at)
            }
            spec.mountProc(false).procAt(proc)
        }
        Unshared u = new Unshared(types, proc, NativeStage.start(spec.build()))
        ContainerEvents.fire('started', u)
        say "pid ${u.pid}: new ${types*.procName().join(', ')} namespaces" + (proc ? ", proc mounted at ${proc} inside" : '')
        u
    }

    /** binds: [hostDir: '/inside'] -> absolute existing host directories, checked paths inside. */
    private static Map<Path, String> bindsOption(String name, Object value) {
        if (value == null) return [:]
        if (!(value instanceof Map)) throw new LabException("container ${name}: binds: give a map, e.g. binds: ['/srv/shared': '/shared']")
        Map<Path, String> binds = [:]
        (value as Map).each { k, v ->
            Path host = Path.of(k.toString()).toAbsolutePath().normalize()
            if (!Files.isDirectory(host)) throw new LabException("container ${name}: binds: ${k} is not a directory on the host")
            try {
                binds[host] = ContainerLimits.mountPoint(v.toString())
            } catch (IllegalArgumentException e) {
                throw new LabException("container ${name}: binds: ${e.message}")
            }
        }
        binds
    }

    /** unconfined: ['seccomp', 'proc'] -> the parts of the confinement left out; an unknown name is an error. */
    private static Set<LaunchSpec.Relax> unconfinedOption(String name, Object value) {
        Set<LaunchSpec.Relax> parts = EnumSet.noneOf(LaunchSpec.Relax)
        if (value == null) return parts
        if (!(value instanceof Collection)) throw new LabException("container ${name}: unconfined: give a list, e.g. unconfined: ['seccomp']")
        try {
            (value as Collection).each { parts << LaunchSpec.Relax.byName(it.toString()) }
        } catch (IllegalArgumentException e) {
            throw new LabException("container ${name}: unconfined: ${e.message}")
        }
        parts
    }

    /** A fresh directory name for an image: {@code <state>/images/KIND-PID-N}. */
    private Path newImageDir(String kind) {
        Path images = Ledger.stateDir().resolve('images').toAbsolutePath()
        int n = 1
        while (Files.exists(images.resolve("${kind}-${ProcessHandle.current().pid()}-${n}"))) n++
        images.resolve("${kind}-${ProcessHandle.current().pid()}-${n}")
    }
}
