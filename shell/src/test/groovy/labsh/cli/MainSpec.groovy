package labsh.cli

import picocli.CommandLine
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/** The command line's contract: one line per error, no stack trace, meaningful exit statuses. */
class MainSpec extends Specification {
    Path dir = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'cli')
    StringWriter out = new StringWriter(), err = new StringWriter()

    def cleanup() {
        dir.toFile().deleteDir()
    }

    private int labsh(String... args) {
        CommandLine cl = Main.commandLine()
        cl.out = new PrintWriter(out, true)
        cl.err = new PrintWriter(err, true)
        cl.execute(args)
    }

    private String lab(String name, String text) {
        Path p = dir.resolve(name)
        Files.writeString(p, text.stripIndent().trim() + '\n')
        p.toString()
    }

    def "a pid that names no process is one line and bad input"() {
        expect:
        labsh('lsns', '2147483647') == ExitCode.BAD_INPUT
        err.toString().readLines() == ['labsh: no process with pid 2147483647 (nothing at /proc/2147483647)']
    }

    def "a pid that is not a number is one line and a usage error"() {
        expect:
        labsh('lsns', 'abc') == ExitCode.USAGE
        err.toString().readLines().size() == 1
        err.toString().startsWith('labsh: ')
        err.toString().contains("'abc' is not a process id")
    }

    def "a lab that passes exits 0 and prints its steps"() {
        given:
        String p = lab('passes.groovy', '''
            lab 'passes'
            step('one') { check('one is one') { 1 == 1 } }
            ''')

        expect:
        labsh(p) == ExitCode.OK
        out.toString().contains('── step 1: one')
        out.toString().contains('✓ one is one')
        err.toString().isEmpty()
    }

    def "the arguments after the script are the lab's, options included"() {
        given:
        String p = lab('echoargs.groovy', 'say "got ${args.join(\',\')}"')

        expect:
        labsh(p, 'a', '--b') == ExitCode.OK
        out.toString().contains('got a,--b')
        labsh('run', p, 'c', '-d') == ExitCode.OK
        out.toString().contains('got c,-d')
    }

    def "a lab whose check fails exits 1 with file:line"() {
        given:
        String p = lab('fails.groovy', '''
            step('one') {
                check('two is three') { 2 == 3 }
            }
            ''')

        expect:
        labsh('run', p) == ExitCode.LAB_FAILED
        err.toString().trim() == "${p}:2: step 1 'one' failed: check 'two is three' failed"
    }

    def "an uncaught exception in a lab is file:line: message, without a stack trace unless --debug"() {
        given:
        String p = lab('throws.groovy', '''
            String s = null
            say s.trim()
            ''')

        expect:
        labsh(p) == ExitCode.LAB_FAILED
        err.toString().readLines().size() == 1
        err.toString().startsWith("${p}:2: NullPointerException")

        when:
        err.buffer.length = 0
        labsh('--debug', p)

        then:
        err.toString().contains('\tat ')
    }

    def "a typo in a lab is bad input, reported before anything runs"() {
        given:
        String p = lab('typo.groovy', '''
            step('one') { say 'ran' }
            sya 'x'
            ''')

        expect:
        labsh(p) == ExitCode.BAD_INPUT
        err.toString().startsWith("${p}:2: unknown word 'sya' — did you mean 'say'?")
        !out.toString().contains('ran')
    }

    def "a missing privilege is one line naming it, exit 3"() {
        given:
        String p = lab('priv.groovy', '''
            throw new Privilege.PrivilegeException('creating namespaces needs CAP_SYS_ADMIN (run labsh as root: sudo labsh ...)')
            ''')

        expect:
        labsh(p) == ExitCode.NO_PRIVILEGE
        err.toString().trim() == "${p}:1: creating namespaces needs CAP_SYS_ADMIN (run labsh as root: sudo labsh ...)"
    }

    def "--trace prints each kernel call to stderr as it happens"() {
        given:
        String p = lab('traced.groovy', '''
            int pid = Syscall.call('getpid', '', { Libc.getpid() } as Syscall.IntCall)
            say "pid ${pid}"
            ''')

        expect:
        labsh('--trace', p) == ExitCode.OK
        err.toString().readLines() == ["getpid() = ${ProcessHandle.current().pid()}".toString()]
    }

    // no arguments opens the shell: labsh.shell.ShellPtySpec drives it on a terminal
    def "a missing script is bad input"() {
        expect:
        labsh(dir.resolve('nope.groovy').toString()) == ExitCode.BAD_INPUT
        err.toString().trim() == "labsh: no lab script at ${dir.resolve('nope.groovy')}"
    }

    def "--version and --help work and exit 0"() {
        expect:
        labsh('--version') == ExitCode.OK
        out.toString().startsWith('labsh ')
        labsh('--help') == ExitCode.OK
        out.toString().contains('Exit status:')
        labsh('lsns', '--help') == ExitCode.OK
        out.toString().contains('Usage: labsh lsns')
    }
}
