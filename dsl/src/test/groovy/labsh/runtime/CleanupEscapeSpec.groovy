package labsh.runtime

import com.sun.jna.NativeLibrary
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.kernel.MountInfo
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import spock.lang.Specification
import spock.lang.Unroll

import java.nio.file.Files
import java.nio.file.LinkOption
import java.nio.file.Path
import java.nio.file.attribute.FileTime
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger

/**
 * Issue 12, findings 4, 5, 10 and 11: what labsh's cleanup can be made to touch. Each attempt is
 * real: a thread swaps a directory for a symlink with renameat2(RENAME_EXCHANGE) while the
 * remover walks the tree, a lab asks for a work file named '../../..', a ledger line names / as a
 * mount, an ordinary user (setpriv to nobody) tries to read below the state directory. The
 * evidence is the kernel's: the decoys' stat(2) (content, mtime), mountinfo, EACCES.
 */
class CleanupEscapeSpec extends Specification {
    Path base = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'escape')
    Path state = base.resolve('state')
    Path decoy = base.resolve('decoy')
    String oldState = System.getProperty('labsh.state')
    List<Runnable> undo = []

    def setupSpec() {
        // this JVM's ledger is one for all specs, placed at its first use: place it now, where the
        // other specs' is, and not in a state directory this spec deletes (its unwind would remake it)
        Ledger.current()
    }

    def setup() {
        System.setProperty('labsh.state', state.toString())
        Files.createDirectories(state.resolve('ledgers'))
    }

    def cleanup() {
        undo.reverseEach { it.run() }
        if (oldState == null) System.clearProperty('labsh.state') else System.setProperty('labsh.state', oldState)
        ['rm', '-rf', '--one-file-system', base.toString()].execute().waitFor()
    }

    /** A directory outside the state directory with files of the names the shared tree has. */
    private Map<Path, String> makeDecoy() {
        Map<Path, String> files = [:]
        Files.createDirectories(decoy.resolve('nested'))
        (0..<60).each { files[Files.writeString(decoy.resolve("f${it}"), "decoy ${it}")] = "decoy ${it}".toString() }
        (0..<20).each { files[Files.writeString(decoy.resolve("nested/g${it}"), "decoy nested ${it}")] = "decoy nested ${it}".toString() }
        files
    }

    /** A FIFO-like shared directory: sub/ full of files, and a symlink "link" to the decoy. */
    private Path sharedTree(int n) {
        Path root = state.resolve("fifos/race-${n}")
        Path sub = Files.createDirectories(root.resolve('sub/nested'))
        (0..<60).each { Files.writeString(root.resolve("sub/f${it}"), 'shared') }
        (0..<20).each { Files.writeString(root.resolve("sub/nested/g${it}"), 'shared') }
        Files.createSymbolicLink(root.resolve('link'), decoy)
        Files.createSymbolicLink(root.resolve('sub/nested-link'), decoy.resolve('nested'))
        root
    }

    /**
     * The container's side of the race: renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) in a
     * loop, so that "sub" is a directory one moment and a symlink to the decoy the next.
     */
    private static Thread racer(List<List<Path>> pairs, AtomicBoolean stop, AtomicInteger swaps) {
        def renameat2 = NativeLibrary.getInstance('c').getFunction('renameat2')
        Thread t = new Thread({
            while (!stop.get()) {
                for (List<Path> p : pairs) {
                    if (renameat2.invokeInt([-100, p[0].toString(), -100, p[1].toString(), 2] as Object[]) == 0) swaps.incrementAndGet()
                }
            }
        } as Runnable, 'symlink-swapper')
        t.daemon = true
        t.start()
        t
    }

    private static int deadPid() {
        Process p = new ProcessBuilder('true').start()
        p.waitFor()
        (int) p.pid()
    }

    @Unroll
    def "finding 5: a symlink swapped in during #how, 50 tries, never touches the decoy"() {
        given:
        Map<Path, String> decoyFiles = makeDecoy()
        int removedWhole = 0, swapsSeen = 0

        when:
        List<String> damaged = []
        for (int i = 0; i < 50; i++) {
            Path dir = sharedTree(i)
            AtomicBoolean stop = new AtomicBoolean()
            AtomicInteger swaps = new AtomicInteger()
            Thread t = racer([[dir.resolve('sub'), dir.resolve('link')], [dir.resolve('sub/nested'), dir.resolve('sub/nested-link')]], stop, swaps)
            for (int spin = 0; swaps.get() < 2 && spin < 100_000; spin++) Thread.onSpinWait()   // the race is on before the cleanup starts
            try {
                if (how == 'the remover') {
                    Removers.remove('dir', [path: dir.toString()])
                } else {
                    Path l = state.resolve("ledgers/${deadPid()}-1.ledger")
                    Files.writeString(l, "1 + dir path=${Ledger.escape(dir.toString())}\n")
                    Cleaner.clean(state.resolve('ledgers'))
                    Files.deleteIfExists(l)
                }
            } catch (IllegalStateException lostRace) {
                // the race can make a step fail (ELOOP on a swapped name): an error, never the decoy
            } finally {
                stop.set(true)
                t.join()
            }
            swapsSeen += swaps.get()
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) removedWhole++
            damaged.addAll(decoyFiles.findAll { Path f, String text -> !Files.isRegularFile(f) || Files.readString(f) != text }.keySet()*.toString())
            Removers.deletePath(dir.toString())   // what the race left, removed with nothing racing
        }
        println "${how}: ${removedWhole}/50 trees removed while racing, ${swapsSeen} swaps"

        then: 'every decoy file is still there, with its content'
        damaged.isEmpty()
        decoyFiles.every { Path f, String text -> Files.readString(f) == text }
        Files.list(decoy).count() == 61

        where:
        how << ['the remover', 'labsh clean of a dead labsh\'s ledger']
    }

    def "finding 5: a FIFO's directory records its containers, and its remover stops them before deleting"() {
        given: 'two stand-ins for a FIFO\'s containers, recorded as processes in a ledger'
        List<Process> members = (0..1).collect { new ProcessBuilder('sleep', '300').start() }
        Process stranger = new ProcessBuilder('sleep', '300').start()
        undo << { (members + stranger).each { it.destroyForcibly() } }
        Path dir = Files.createDirectories(state.resolve('fifos/1-pipe'))
        Files.writeString(dir.resolve('pipe'), '')
        String field = Removers.membersField((members + stranger).collect { [it.pid(), ProcFs.startTime((int) it.pid())] as long[] })
        Path l = state.resolve("ledgers/${deadPid()}-1.ledger")
        String procs = members.withIndex().collect { Process p, int i ->
            "${i + 1} + process role=container\n${i + 1} = pid=${p.pid()} start=${ProcFs.startTime((int) p.pid())}\n"
        }.join('')
        Files.writeString(l, procs + "3 + dir path=${Ledger.escape(dir.toString())}\n3 = members=${field}\n")

        when:
        Cleaner.Report r = Cleaner.clean(state.resolve('ledgers'))

        then: 'the members recorded as labsh\'s processes were stopped first; the stranger named only in the field was not'
        r.ok()
        r.lines[0] == "removed dir path=${Ledger.escape(dir.toString())} members=${field}".toString()
        members.every { it.waitFor(5, TimeUnit.SECONDS) }
        stranger.alive
        !Files.exists(dir)
        !Files.exists(l)
    }

    private Path lab(String text) {
        Path p = base.resolve('names.groovy')
        Files.writeString(p, text.stripIndent().trim() + '\n')
        p
    }

    private static Map<Path, List> snapshot(List<Path> files) {
        files.collectEntries { Path f -> [(f): [Files.readString(f), Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS)]] }
    }

    private static Set<String> names(Path dir) {
        Files.list(dir).withCloseable { s -> s.map { it.fileName.toString() }.toList() as Set }
    }

    @Unroll
    def "finding 10: #word '#shown' is refused with one line, and nothing outside the work directory changes"() {
        given: 'decoys where the name would lead: the work directory\'s parent, the state directory, above it'
        Path work = state.resolve('work')
        Files.createDirectories(work)
        List<Path> decoys = [work.resolve('decoy'), state.resolve('decoy'), base.resolve('decoy-file')]
        decoys.each { Files.writeString(it, "decoy of ${it.parent.fileName}") }
        decoys.each { Files.setLastModifiedTime(it, FileTime.fromMillis(1_000_000_000_000L)) }
        Map before = snapshot(decoys)
        String quoted = name.replace('\\', '\\\\').replace("'", "\\'")
        Path script = lab("""
            lab 'names'
            step('one') {
                ${word} '${quoted}'
            }
            """)
        Map<Path, Set<String>> listed = [work, state, base].collectEntries { [(it): names(it)] }

        when:
        LabResult r = LabRunner.run(script, new LabOptions(err: new PrintStream(new ByteArrayOutputStream(), true, 'UTF-8')))

        then:
        !r.ok
        r.error.toString() == "${base.resolve('names.groovy')}:3: ${word} '${shown}': ${why}".toString()
        !r.error.toString().contains('\n')
        snapshot(decoys) == before
        [work, state, base].every { names(it) == listed[it] }

        where:
        word       | name         | shown                       | why
        'workfile' | '../../..'   | name                        | "one name, without '/' (it is made in this run's work directory)"
        'workdir'  | '..'         | name                        | "'..' names an existing directory (this one or its parent), not a fresh directory"
        'workfile' | '..'         | name                        | "'..' names an existing directory (this one or its parent), not a fresh file"
        'workdir'  | '.'          | name                        | "'.' names an existing directory (this one or its parent), not a fresh directory"
        'workfile' | 'a/b'        | name                        | "one name, without '/' (it is made in this run's work directory)"
        'workdir'  | '../decoy'   | name                        | "one name, without '/' (it is made in this run's work directory)"
        'workfile' | ''           | name                        | "give it a name (letters, digits, '.', '_' or '-')"
        'workdir'  | '-x'         | name                        | "a name must not start with '-' (a command given it would read an option)"
        'workfile' | 'a' * 300    | 'a' * 40 + '...'            | '300 characters, at most 100'
        'workdir'  | 'x y'        | name                        | "use letters, digits, '.', '_' or '-'"
    }

    def "finding 10: a good workfile is made beneath the work directory, never over a file that is there"() {
        when:
        LabResult r = LabRunner.run(lab('''
            lab 'names'
            step('one') {
                def f = workfile 'key'
                check('made, empty, in this run\\'s work directory') { f.parent.parent == labsh.runtime.Ledger.stateDir().resolve('work') && f.toFile().length() == 0 }
                workfile 'key'
            }
            '''), new LabOptions(err: new PrintStream(new ByteArrayOutputStream(), true, 'UTF-8')))

        then: 'the second is refused (O_EXCL: EEXIST), and the end of the lab removed the first'
        r.steps[0].checks*.passed == [true]
        r.error.toString().contains("workfile 'key': already exists in this run's work directory")
        !Files.exists(state.resolve("work/${ProcessHandle.current().pid()}/key"))
    }

    def "finding 11: crafted ledger lines outside the state directory are refused, and their objects untouched"() {
        given: 'a file in /tmp, a directory outside, a tmpfs mounted outside, a cgroup beside labsh\'s'
        Path tmpDecoy = Files.writeString(Path.of("/tmp/labsh-decoy-${ProcessHandle.current().pid()}"), 'not labsh\'s')
        undo << { Files.deleteIfExists(tmpDecoy) }
        Path dir = Files.createDirectories(base.resolve('decoy-dir'))
        Files.writeString(dir.resolve('keep'), 'keep')
        Path mnt = Files.createDirectories(base.resolve('decoy-mnt'))
        assert ['mount', '-t', 'tmpfs', '-o', 'size=1m', 'decoy', mnt.toString()].execute().waitFor() == 0
        undo << { ['umount', '-l', mnt.toString()].execute().waitFor() }
        Files.writeString(mnt.resolve('keep'), 'keep')
        // "/labsh" is in its name: the old remover's string test (path.contains("/labsh")) let it through
        Path cg = Path.of("/sys/fs/cgroup/pids/labsh-decoy-${ProcessHandle.current().pid()}")
        Files.createDirectory(cg)
        undo << { Files.deleteIfExists(cg) }
        String mntns = Namespaces.ofThisThread(NsType.MNT) as String
        int rootMountId = MountInfo.at(MountInfo.ofThisThread(), '/').id()
        List<String> lines = [
                "file path=${tmpDecoy}",
                "dir path=${dir}",
                "file path=${Ledger.escape(state.resolve('../decoy-dir/keep').toString())}",
                "mount path=/ mntns=${mntns}",
                "mount path=${mnt} mntns=${mntns}",
                "cgroup path=${cg}",
                "cgroup path=/sys/fs/cgroup/pids/labsh/../labsh-decoy-${ProcessHandle.current().pid()}",
                "dir path=${state}",
        ]*.toString()
        Path l = state.resolve("ledgers/${deadPid()}-1.ledger")
        Files.writeString(l, lines.withIndex().collect { String s, int i -> "${i + 1} + ${s}\n" }.join(''))

        when:
        Cleaner.Report r = Cleaner.clean(state.resolve('ledgers'))

        then: 'one "refused" line each, newest first, with the reason'
        !r.ok()
        r.removed.isEmpty() && r.failures.isEmpty()
        r.refused == [
                "refused dir path=${state}: it is the state directory ${state} or above it",
                "refused cgroup path=/sys/fs/cgroup/pids/labsh/../labsh-decoy-${ProcessHandle.current().pid()}: not a normalised path ('.', '..' or '//' in it)",
                "refused cgroup path=${cg}: not labsh's parent group /sys/fs/cgroup[/CONTROLLER]/labsh or a group directly in it",
                "refused mount path=${mnt} mntns=${mntns}: outside the state directory ${state}, and not a container root labsh mounts (tmpfs, read-write)",
                "refused mount path=/ mntns=${mntns}: it is /",
                "refused file path=${state}/../decoy-dir/keep: not a normalised path ('.', '..' or '//' in it)",
                "refused dir path=${dir}: outside the state directory ${state}, and not empty (labsh makes only empty mount points there)",
                "refused file path=${tmpDecoy}: outside the state directory ${state}, and neither nsinit's socket nor an ex5 info file",
        ]*.toString()

        and: 'the kernel still has every object'
        Files.readString(tmpDecoy) == 'not labsh\'s'
        Files.readString(dir.resolve('keep')) == 'keep'
        MountInfo.at(MountInfo.ofThisThread(), '/').id() == rootMountId
        MountInfo.at(MountInfo.ofThisThread(), mnt.toString())?.fsType() == 'tmpfs'
        Files.readString(mnt.resolve('keep')) == 'keep'
        Files.isDirectory(cg)
        Files.isDirectory(state)

        and: 'the ledger is kept, for a person to read'
        Files.exists(l)
    }

    def "finding 11: what labsh does make outside the state directory is still removed by labsh clean"() {
        given: 'nsinit\'s socket in the temp directory, an info file in a lab\'s own directory, an empty mount point, a container root at at:'
        Path sock = Path.of(System.getProperty('java.io.tmpdir'), "nsinit-${ProcessHandle.current().pid()}-999.sock")
        def channel = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)
        channel.bind(java.net.UnixDomainSocketAddress.of(sock))
        channel.close()    // closing a listening socket leaves its name: what a kill -9 leaves too
        undo << { Files.deleteIfExists(sock) }
        Path info = Files.writeString(Files.createDirectories(base.resolve('info')).resolve('server_1'), '127.0.0.1\n5101\n/tmp/key\n11\n')
        Path procDir = Files.createDirectories(base.resolve('proc-here'))
        Path image = Files.createDirectories(state.resolve('images/busybox-1-1/bin'))
        Path at = Files.createDirectories(base.resolve('at-root'))
        assert ['mount', '--bind', image.parent.toString(), at.toString()].execute().waitFor() == 0
        undo << { ['umount', '-l', at.toString()].execute().waitFor() }
        String mntns = Namespaces.ofThisThread(NsType.MNT) as String
        Path l = state.resolve("ledgers/${deadPid()}-1.ledger")
        Files.writeString(l, ["1 + file path=${sock}", "2 + file path=${info}", "3 + dir path=${procDir}",
                              "4 + container-dir path=${at}", "5 + mount path=${at} mntns=${mntns}"].join('\n') + '\n')

        when:
        Cleaner.Report r = Cleaner.clean(state.resolve('ledgers'))

        then: 'the bind is a read-write bind of an image in <state>/images (a kill before its read-only remount): still labsh\'s'
        r.ok()
        r.removed == ["removed mount path=${at} mntns=${mntns}", "removed container-dir path=${at}", "removed dir path=${procDir}",
                      "removed file path=${info}", "removed file path=${sock}"]*.toString()
        MountInfo.at(MountInfo.ofThisThread(), at.toString()) == null
        [sock, info, procDir, at].every { !Files.exists(it, LinkOption.NOFOLLOW_LINKS) }
        Files.isDirectory(image)   // the bind's source, never walked into
        !Files.exists(l)
    }

    def "finding 11: a cgroup labsh skips is reported as left alone, not removed"() {
        given: 'labsh\'s parent group still holding a group of another run'
        Path parent = Path.of('/sys/fs/cgroup/pids/labsh')
        boolean made = !Files.isDirectory(parent)
        if (made) Files.createDirectory(parent)
        Path other = Files.createDirectory(parent.resolve("other-run-${ProcessHandle.current().pid()}"))
        undo << { Files.deleteIfExists(other); if (made) { try { Files.deleteIfExists(parent) } catch (IOException inUse) { /* another labsh's groups came in */ } } }
        Path l = state.resolve("ledgers/${deadPid()}-1.ledger")
        Files.writeString(l, "1 + cgroup path=${parent}\n")

        when:
        Cleaner.Report r = Cleaner.clean(state.resolve('ledgers'))

        then:
        r.ok()
        r.removed.isEmpty()
        r.leftAlone == ["left alone cgroup path=${parent}: it still holds groups of another labsh".toString()]
        Files.isDirectory(other)
    }

    def "findings 4 and 11: the state and ledger directories are 0700 (fixed if older), ledgers 0600, and nobody can reach below"() {
        given: 'an old, open state directory with a setuid-looking file below it, and a control directory left open'
        Path top = Files.createDirectories(base.resolve('top'))
        Files.setPosixFilePermissions(top, PosixFilePermissions.fromString('rwxr-xr-x'))
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString('rwxr-xr-x'))
        Path st = Files.createDirectories(top.resolve('state/ledgers'))
        Files.setPosixFilePermissions(st.parent, PosixFilePermissions.fromString('rwxr-xr-x'))
        Files.setPosixFilePermissions(st, PosixFilePermissions.fromString('rwxrwxrwx'))
        Path inside = Files.writeString(Files.createDirectories(st.resolveSibling('containers/c1/upper')).resolve('suid'), 'x')
        Path open = Files.writeString(Files.createDirectories(top.resolve('open')).resolve('f'), 'x')
        [inside, open].each { Files.setPosixFilePermissions(it, PosixFilePermissions.fromString('rwxr-xr-x')) }

        when: 'a labsh records its first object'
        Ledger ledger = new Ledger(st.resolve('4-1.ledger'))
        ledger.intend('file', 'path', inside.toString())

        then: 'stat(2) says so'
        mode(st.parent) == 040700
        mode(st) == 040700
        mode(ledger.file()) == 0100600

        and: 'nobody gets EACCES below the state directory, and reads the control directory'
        asNobody('cat', inside.toString()).contains('Permission denied')
        asNobody('cat', open.toString()) == 'x'

        when: 'labsh clean finds an older, open one'
        ledger.openEntries().each { it.removed() }
        Files.deleteIfExists(ledger.file())
        Files.setPosixFilePermissions(st.parent, PosixFilePermissions.fromString('rwxr-xr-x'))
        Cleaner.clean(st)

        then:
        mode(st.parent) == 040700

    }

    private static int mode(Path p) { Files.getAttribute(p, 'unix:mode', LinkOption.NOFOLLOW_LINKS) as int }

    private static String asNobody(String... cmd) {
        Process p = new ProcessBuilder(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] + cmd.toList()).redirectErrorStream(true).start()
        String out = p.inputStream.text
        p.waitFor(10, TimeUnit.SECONDS)
        out
    }
}
