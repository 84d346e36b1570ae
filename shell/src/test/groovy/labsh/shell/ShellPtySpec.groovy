package labsh.shell

import labsh.kernel.Privilege
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * The real shell, driven through a pseudo-terminal as a user drives it: tmux runs
 * {@code labsh} (labsh.cli.Main with no arguments) on a pty, send-keys types, capture-pane reads
 * the screen. Each feature waits for what the screen must show (never for a fixed time: these
 * machines are shared and slow at times).
 */
// tmux gives the shell a real terminal (raw mode, TAB, Ctrl-C, Ctrl-D); scripts/install-deps installs it.
@Requires({ ShellPtySpec.hasTmux() })
class ShellPtySpec extends Specification {
    static boolean hasTmux() { ['sh', '-c', 'command -v tmux'].execute().waitFor() == 0 }

    @Shared Path state = Files.createTempDirectory('labsh-pty')
    String session = "labsh-pty-${ProcessHandle.current().pid()}-${System.nanoTime()}"

    def cleanup() {
        tmux('kill-session', '-t', session)
    }

    def cleanupSpec() {
        state.toFile().deleteDir()
    }

    def "a multi-line block, a typo with its suggestion, trace on/off, a lab in step mode, and Ctrl-D leaves"() {
        given:
        Path lab = state.resolve('tiny.groovy')
        Files.writeString(lab, '''\
            lab 'tiny'
            int n = 1
            step('first') {
                say "n is ${n}"
                n++
            }
            step('second') {
                check('n is two') { n == 2 }
            }
            '''.stripIndent())
        start()

        when: 'a block whose open brace continues the input on the next line'
        type 'def twice = { int a ->'
        type 'a * 2'
        type '}'
        type 'twice(21)'

        then:
        waitFor(/(?m)^⇒ 42$/)
        screen().contains('… }')

        when: 'a typo in a DSL word'
        type 'contianer(hostname: "x")'

        then: 'the line, a caret, a suggestion, and the shell goes on'
        waitFor(/input:1: unknown word 'contianer' — did you mean 'container'\?/)
        type 'twice(2)'
        waitFor(/(?m)^⇒ 4$/)

        when: 'trace on: the kernel calls of a line under it, strace-like, with errno names'
        type 'trace on'
        type 'MessageQueues.get(0x7ab5e11, 0)'

        then:
        waitFor(/⇢ msgget\(0x07ab5e11, 0\) = -1 ENOENT \(No such file or directory\)/)
        waitFor(/input:1: msgget\(0x07ab5e11, 0\) failed: ENOENT/)

        when:
        type 'trace off'
        type 'MessageQueues.get(0x7ab5e12, 0)'

        then:
        waitFor(/input:1: msgget\(0x07ab5e12, 0\) failed: ENOENT/)
        !screen().contains('⇢ msgget(0x07ab5e12')

        when: 'the lab is loaded: it stops before step 1 and shows what the step will run'
        type "load ${lab}"

        then:
        waitFor(/▶ next: step 1: first/)
        screen() =~ /4 │ +say "n is \$\{n\}"/
        waitFor(/labsh\[tiny step 1\]> $/)

        when:
        type 'step'

        then: 'step 1 ran, and the lab waits before step 2'
        waitFor(/▶ next: step 2: second/)
        screen().contains('n is 1')
        !screen().contains('✓ n is two')

        when: 'the lab variable is a shell variable between steps'
        type 'n'

        then:
        waitFor(/(?m)^⇒ 2$/)

        when:
        type 'step'

        then:
        waitFor(/lab done: 2 of 2 steps passed/)
        screen().contains('✓ n is two')

        when: 'Ctrl-D'
        tmux('send-keys', '-t', session, 'C-d')

        then:
        waitFor(/LABSH-EXITED 0/)
        screen().contains('bye: everything this session made is removed')
        ledgers().isEmpty()
    }

    // Starting a container needs CAP_SYS_ADMIN (clone with new namespaces): root.
    @Requires({ Privilege.isRoot() })
    def "TAB completes a container's name, exec runs in it, Ctrl-C stops a line, and Ctrl-D removes the container"() {
        given:
        start()

        when: 'a container from a busybox root, started on one line'
        // at: its root's mount point; the default is under the spec's state directory, in /tmp, which seed 004 forbids
        type "box = container 'ptybox1', rootfs: busybox(), hostname: 'ptybox', at: '/run/labsh-ptybox1-${ProcessHandle.current().pid()}'"
        waitFor(/ptybox1: pid \d+ on the host/)
        int pid = (screen() =~ /ptybox1: pid (\d+) on the host/)[0][1] as int

        then: 'its process is alive, in its own UTS namespace'
        Files.isDirectory(Path.of("/proc/${pid}"))
        Files.readSymbolicLink(Path.of("/proc/${pid}/ns/uts")) != Files.readSymbolicLink(Path.of('/proc/self/ns/uts'))

        when: 'TAB completes the name of the container on the next line'
        tmux('send-keys', '-t', session, '-l', 'exec ptyb')
        tmux('send-keys', '-t', session, 'Tab')

        then:
        waitFor(/labsh> exec ptybox1 $/)

        when:
        type 'hostname'

        then: 'the command ran in the container (its hostname, read by hostname(1) there)'
        waitFor(/(?m)^ptybox$/)

        when: 'Ctrl-C stops a running line, not the shell; the container survives it'
        type 'Thread.sleep(600000)'
        Thread.sleep(500)
        tmux('send-keys', '-t', session, 'C-c')

        then:
        waitFor(/(?m)^interrupted$/)
        type 'box.name'
        waitFor(/(?m)^⇒ ptybox1$/)
        Files.isDirectory(Path.of("/proc/${pid}"))

        when: 'Ctrl-D'
        tmux('send-keys', '-t', session, 'C-d')

        then: 'the shell is gone and so is everything it made: the container, the ledger'
        waitFor(/LABSH-EXITED 0/)
        !Files.isDirectory(Path.of("/proc/${pid}"))
        !Files.exists(Path.of("/run/labsh-ptybox1-${ProcessHandle.current().pid()}"))
        ledgers().isEmpty()
        nsinitsOfThisState().isEmpty()
    }

    private void start() {
        String java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        String cmd = [java, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djdk.lang.Process.launchMechanism=VFORK',
                      '-cp', System.getProperty('java.class.path'), 'labsh.cli.Main'].collect { quote(it) }.join(' ')
        String env = "LABSH_STATE=${quote(state.toString())} LABSH_HISTORY=${quote(state.resolve('history').toString())}"
        assert tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50',
                "cd ${quote(Path.of('').toAbsolutePath().toString())} && env ${env} ${cmd}; echo LABSH-EXITED \$?; sleep 600") == 0
        waitFor(/labsh> $/)
    }

    private void type(String line) {
        tmux('send-keys', '-t', session, '-l', line)
        tmux('send-keys', '-t', session, 'Enter')
    }

    /** The screen and what scrolled off it; a prompt waiting for input keeps its trailing "> ". */
    private String screen() {
        Process p = ['tmux', 'capture-pane', '-p', '-J', '-S', '-300', '-t', session].execute()
        String text = p.inputStream.text
        p.waitFor()
        text.replaceAll(/\n+$/, '')
    }

    /** Waits until the screen matches {@code regex} (at most three minutes, for a loaded machine); fails with the screen. */
    private boolean waitFor(String regex) {
        long deadline = System.nanoTime() + 180_000_000_000L
        while (System.nanoTime() < deadline) {
            String s = screen()
            if (s =~ regex) return true
            Thread.sleep(100)
        }
        assert screen() =~ regex
        true
    }

    private List<Path> ledgers() {
        Path dir = state.resolve('ledgers')
        Files.isDirectory(dir) ? Files.list(dir).withCloseable { it.toList() } : []
    }

    /** nsinit processes started for this spec's state directory (their command line names it). */
    private List<String> nsinitsOfThisState() {
        Files.list(Path.of('/proc')).withCloseable { s ->
            s.filter { it.fileName.toString() ==~ /\d+/ }.map { Path p ->
                try { new String(Files.readAllBytes(p.resolve('cmdline'))).replace('\0', ' ') } catch (IOException ignored) { '' }
            }.filter { it.contains('nsinit') && it.contains(state.toString()) }.toList()
        }
    }

    private static int tmux(String... args) {
        Process p = (['tmux'] + args.toList()).execute()
        p.consumeProcessOutput()
        p.waitFor()
    }

    private static String quote(String s) { "'" + s.replace("'", "'\\''") + "'" }
}
