package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import java.util.stream.Collectors

/**
 * The kernel objects of the kinds labsh creates that exist now, one line each, read from the
 * kernel's own view: what scripts/leaks lists (SysV queues and segments, labsh mounts, cgroups,
 * veth/labsh links, named netns, ledgers), and more precisely than it can in a diff:
 * <ul>
 * <li>every process that holds a namespace other than the spec's own, which labsh starts in (pid, mnt, ipc, uts, net, cgroup),
 *     and every nsinit or qemu, with its pid, so a second leaked one is not hidden by the first;</li>
 * <li>unreachable routes (ex5 adds one for the VM's subnet);</li>
 * <li>every file and directory under the state directory's categories (ledgers/, work/,
 *     containers/, ...) that is not a build cache (c/, bin/, vm/HASH): ledgers, control sockets,
 *     work directories, info files, overlay directories.</li>
 * </ul>
 * Two snapshots are compared with {@link #leaked}: a line in the second and not the first is a leak.
 */
class KernelView {
    static final Path REPO = Path.of(System.getProperty('labsh.labs', '.')).toAbsolutePath().normalize().parent
    private static final List<String> NS = ['pid', 'mnt', 'ipc', 'uts', 'net', 'cgroup']
    /** State directory entries that are caches, made once and kept on purpose. */
    private static final List<String> CACHES = ['c', 'bin', 'vm']

    static Set<String> snapshot(Path stateDir) {
        Set<String> lines = new TreeSet<>()
        lines.addAll(leaksScript().findAll { !it.startsWith('process ') })
        lines.addAll(processes())
        lines.addAll(run(['ip', 'route', 'show', 'table', 'all', 'type', 'unreachable']).collect { "route $it".toString() })
        lines.addAll(stateFiles(stateDir))
        lines
    }

    static Set<String> leaked(Set<String> before, Set<String> after) {
        new TreeSet<>(after - before)
    }

    /** Waits up to {@code seconds} for {@code before} to be reached again (a killed process takes a moment to vanish). */
    static Set<String> leakedAfterSettling(Set<String> before, Path stateDir, int seconds = 5) {
        Set<String> leak = leaked(before, snapshot(stateDir))
        for (int i = 0; i < seconds * 5 && !leak.isEmpty(); i++) {
            sleep(200)
            leak = leaked(before, snapshot(stateDir))
        }
        leak
    }

    static List<String> leaksScript() {
        run([REPO.resolve('scripts/leaks').toString()])
    }

    /** nsinit and qemu processes, and every process in a namespace that is not this JVM's. */
    static List<String> processes() {
        // the namespaces this spec runs in, which labsh starts in: /proc/1/ns is not always readable
        // (it is not in these sandboxes), and a view that reads nothing there finds no process at all
        Map<String, String> host = NS.collectEntries { [(it): link(Path.of("/proc/self/ns/$it"))] }
        assert host.values().every { it != null }: "cannot read /proc/self/ns: ${host}"
        List<String> out = []
        Path.of('/proc').toFile().eachFileMatch(~/\d+/) { File dir ->
            String comm = read(Path.of(dir.path, 'comm'))
            if (comm == null) return
            if (isKernelThread(dir)) return
            String self = "${ProcessHandle.current().pid()}"
            if (dir.name == self) return
            if (comm ==~ /nsinit|qemu-system.*/) out << "process ${dir.name} ${comm}".toString()
            List<String> own = NS.findAll { t ->
                String l = link(Path.of(dir.path, 'ns', t))
                l != null && l != host[t]
            }
            if (own) out << "nsproc ${dir.name} ${comm} ${own.join(',')}".toString()
        }
        out
    }

    private static boolean isKernelThread(File dir) {
        // kernel threads have an empty cmdline and are children of kthreadd (pid 2)
        String stat = read(Path.of(dir.path, 'stat'))
        if (stat == null) return true
        List<String> f = stat.substring(stat.lastIndexOf(')') + 2).split(' ') as List
        f[1] == '2' || dir.name == '2'
    }

    static List<String> stateFiles(Path stateDir) {
        if (!Files.isDirectory(stateDir)) return []
        Files.walk(stateDir).withCloseable { s ->
            // a directory right under the state directory (ledgers, work, containers, fifos, ...)
            // is a category made once and kept; what is inside it is counted
            s.filter { it != stateDir && !(it.parent == stateDir && Files.isDirectory(it)) }
             .map { stateDir.relativize(it).toString() }
             .filter { String rel -> !isCache(rel) && rel != 'vm/logs' }
             .map { "state $it".toString() }
             .collect(Collectors.toList())
        }
    }

    private static boolean isCache(String rel) {
        String top = rel.split('/')[0]
        if (top == 'vm') return !rel.startsWith('vm/logs')
        top in CACHES
    }

    private static String link(Path p) {
        try { Files.readSymbolicLink(p).toString() } catch (IOException ignored) { null }
    }

    private static String read(Path p) {
        try { Files.readString(p).trim() } catch (IOException ignored) { null }
    }

    static List<String> run(List<String> cmd) {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        String out = p.inputStream.text
        p.waitFor()
        out.readLines().findAll { it.trim() }
    }
}
