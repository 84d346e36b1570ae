package labsh.shell

import spock.lang.Specification

/** What step mode shows before a step: the lines of its body, found from the step's line. */
class StepSourceSpec extends Specification {
    List<String> lab = '''\
        lab 'x'
        step('one') {
            say 'a { not a brace } "}"'
            if (true) {
                say 'b' // }
            }
        }
        step('two') { say 'c' }
        step('three', {
            say 'd'
        })'''.stripIndent().readLines()

    def "from the step's line to the line that closes its brace; braces in strings and comments do not count"() {
        expect:
        StepSource.bodyLines(lab, 2) == [1, 2, 3, 4, 5, 6]
        StepSource.bodyLines(lab, 8) == [7]
        StepSource.bodyLines(lab, 9) == [8, 9, 10]
    }

    def "a line out of the script gives nothing"() {
        expect:
        StepSource.bodyLines(lab, 0) == []
        StepSource.bodyLines(lab, 99) == []
    }
}
