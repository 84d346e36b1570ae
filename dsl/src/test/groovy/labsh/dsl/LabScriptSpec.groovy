package labsh.dsl

import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

class LabScriptSpec extends Specification {
    Path dir = Files.createTempDirectory(Path.of('target').toAbsolutePath().tap { Files.createDirectories(it) }, 'labs')

    def cleanup() {
        dir.toFile().deleteDir()
    }

    private Path lab(String name, String text) {
        Path p = dir.resolve(name)
        Files.writeString(p, text.stripIndent().trim() + '\n')
        p
    }

    private static LabResult run(Path p, ByteArrayOutputStream err = new ByteArrayOutputStream()) {
        LabRunner.run(p, new LabOptions(err: new PrintStream(err, true, 'UTF-8')))
    }

    def "a lab's steps and checks run in order and each outcome can be inspected"() {
        given:
        Path p = lab('tiny.groovy', '''
            lab 'a tiny lab'
            def numbers = [1, 2, 3]
            step('count') {
                say 'three numbers'
                check('three of them') { numbers.size() == 3 }
            }
            step('echo') {
                String o = sh 'echo hello'
                check('sh returns the output') { o == 'hello' }
            }
            step('not here') {
                skip 'nothing to do'
            }
            ''')

        when:
        LabResult r = run(p)

        then:
        r.ok
        r.lab.title == 'a tiny lab'
        r.steps*.name == ['count', 'echo', 'not here']
        r.steps*.status == [Step.Status.PASS, Step.Status.PASS, Step.Status.SKIP]
        r.steps[0].checks*.what == ['three of them']
        r.steps[0].checks*.passed == [true]
        r.checks.size() == 2
        r.output.contains('── step 1: count')
        r.output.contains('✓ three of them')
        r.output.contains('hello')
        r.output.contains('– skipped: nothing to do')
    }

    def "a failing check shows the values compared, fails its step and stops the lab"() {
        given:
        Path p = lab('failing.groovy', '''
            lab 'failing'
            step('first') {
                def queues = ['a']
                check('two queues') { queues.size() == 2 }
                say 'not reached'
            }
            step('second') {
                say 'never'
            }
            ''')
        def err = new ByteArrayOutputStream()

        when:
        LabResult r = run(p, err)

        then:
        !r.ok
        r.steps*.name == ['first']
        r.steps[0].failed
        !r.steps[0].checks[0].passed
        r.steps[0].checks[0].detail.contains('queues.size() == 2')
        r.steps[0].checks[0].detail.contains('false')
        r.error.line == 4
        r.error.toString() == "${p}:4: check 'two queues' failed"
        !r.output.contains('not reached')
        !r.output.contains('never')
        err.toString('UTF-8').readLines().first() == "${p}:4: step 1 'first' failed: check 'two queues' failed"
    }

    def "a mistyped word is a compile error at its line, with a suggestion, and nothing runs"() {
        given:
        Path marker = dir.resolve('marker')
        Path p = lab('typo.groovy', """
            lab 'typo'
            step('writes a marker') { new File('${marker}').text = 'ran' }
            stpe('two') {
                say 'x'
            }
            """)
        def err = new ByteArrayOutputStream()

        when:
        LabResult r = run(p, err)

        then:
        r.compileFailed
        r.error.toString() == "${p}:3: unknown word 'stpe' — did you mean 'step'?"
        r.error.column == 1
        err.toString('UTF-8').startsWith("${p}:3: unknown word 'stpe' — did you mean 'step'?\n    stpe('two') {\n    ^")
        r.steps.isEmpty()
        r.output.isEmpty()
        !Files.exists(marker)
    }

    def "mistyped names are matched against the script's own variables too"() {
        given:
        Path p = lab('names.groovy', '''
            def segmentKey = 0x1234
            say "key ${segmentKy}"
            ''')

        when:
        LabResult r = run(p)

        then:
        r.compileFailed
        r.error.toString() == "${p}:2: unknown name 'segmentKy' — did you mean 'segmentKey'?"
    }

    def "an error thrown by a word at run time is reported at the script's line"() {
        given:
        Path p = lab('runtime.groovy', '''
            lab 'runtime'
            step('look at a process') {
                say 'looking'
                Namespaces.of(999999999)
            }
            ''')
        def err = new ByteArrayOutputStream()

        when:
        LabResult r = run(p, err)

        then:
        !r.ok
        r.steps[0].failed
        r.error.toString() == "${p}:4: no process with pid 999999999 (nothing at /proc/999999999)"
        err.toString('UTF-8').trim() == "${p}:4: step 1 'look at a process' failed: no process with pid 999999999 (nothing at /proc/999999999)"
        !err.toString('UTF-8').contains('at labsh.') // no stack trace without --debug
    }

    def "an exception outside any step is reported at its line too"() {
        given:
        Path p = lab('outside.groovy', '''
            say 'before'
            sh 'exit 3'
            ''')

        when:
        LabResult r = run(p)

        then:
        !r.ok
        r.error.toString() == "${p}:2: sh 'exit 3' exited with status 3"
    }

    def "trace shows the kernel calls made inside it, strace-like, and returns the body's value"() {
        given:
        Path p = lab('traced.groovy', '''
            step('traced') {
                int pid = trace { Syscall.call('getpid', '', { Libc.getpid() } as Syscall.IntCall) }
                check('the pid is ours') { pid == (int) ProcessHandle.current().pid() }
            }
            ''')

        when:
        LabResult r = run(p)

        then:
        r.ok
        r.output.contains("   ⇢ getpid() = ${ProcessHandle.current().pid()}")
    }

    def "a word can be suggested from a typo like contianer"() {
        expect:
        Suggest.closest('contianer', ['container', 'client', 'check']) == 'container'
        Suggest.closest('zzz', ['container', 'client']) == null
    }
}
