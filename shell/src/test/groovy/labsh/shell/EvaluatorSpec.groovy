package labsh.shell

import spock.lang.Specification

import java.nio.charset.StandardCharsets

/** Lines typed at the shell: compiled as labs are, but what one line defines the next can use. */
class EvaluatorSpec extends Specification {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream()
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)
    Evaluator evaluator = new Evaluator(out, out)

    private String run(String source) {
        bytes.reset()
        evaluator.evaluate(source)
        bytes.toString(StandardCharsets.UTF_8)
    }

    def "a variable of one line is there on the next, whether assigned or declared"() {
        expect:
        run('x = 41') == '⇒ 41\n'
        run('x + 1') == '⇒ 42\n'
        run('def y = 2') == '⇒ 2\n'
        run('int z = 3') == '⇒ 3\n'
        run('x + y + z') == '⇒ 46\n'
    }

    def "a closure kept in a variable can be called on a later line, also across a multi-line input"() {
        expect:
        run('def twice = { int a ->\n  a * 2\n}') == ''
        run('twice(21)') == '⇒ 42\n'
    }

    def "a declared type is kept: a mistyped method on it is a compile error with a suggestion"() {
        given:
        run("String s = 'abc'")

        expect:
        run('s.toUpperCas()').startsWith("input:1: unknown method 'toUpperCas' on String — did you mean 'toUpperCase'?")
        run('s.toUpperCase()') == '⇒ ABC\n'
    }

    def "a typo in a DSL word prints the line, a caret and the word meant; the session goes on"() {
        when:
        String shown = run("contianer(hostname: 'x')")

        then:
        shown.readLines() == ["input:1: unknown word 'contianer' — did you mean 'container'?",
                              "    contianer(hostname: 'x')",
                              "    ^"]
        !evaluator.evaluate('contianer()')
        evaluator.evaluate('1 + 1')
    }

    def "a mistyped variable suggests the session's variable"() {
        given:
        run('server1 = 5')

        expect:
        run('sever1 + 1').startsWith("input:1: unknown name 'sever1' — did you mean 'server1'?")
    }

    def "an error while a line runs is one line with the input's line number"() {
        expect:
        run("1 + 1\nsh quiet: true, 'exit 3'").trim() == "input:2: sh 'exit 3' exited with status 3"
    }

    def "steps typed on separate lines are numbered as one lab"() {
        when:
        String first = run("step('one') { say 'a' }")
        String second = run("step('two') { check('two is two') { 2 == 2 } }")

        then:
        first.startsWith('── step 1: one\n   a\n')
        second.startsWith('── step 2: two\n   ✓ two is two\n')
    }

    def "a failing check stops its step and says where; the next line runs"() {
        expect:
        run("step('bad') { check('one is two') { 1 == 2 } }").contains("input:1: check 'one is two' failed")
        run('3') == '⇒ 3\n'
    }
}
