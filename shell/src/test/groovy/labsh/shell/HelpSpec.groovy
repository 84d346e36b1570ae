package labsh.shell

import labsh.dsl.LabCompiler
import spock.lang.Specification

import java.nio.charset.StandardCharsets

/** help and help WORD: the words are LabScript's, the examples help.txt's. */
class HelpSpec extends Specification {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream()
    Help help = new Help(new PrintStream(bytes, true, StandardCharsets.UTF_8))

    private String shown() { bytes.toString(StandardCharsets.UTF_8) }

    def "every section of help.txt is a DSL word or a shell command (none left over from a renamed word)"() {
        expect:
        Help.docs().keySet().findAll { !(it in LabCompiler.words()) && !ShellCommands.USAGE.containsKey(it) } == [] as Set
    }

    def "every DSL word has a section of help.txt (a new word comes with its explanation and example)"() {
        expect:
        LabCompiler.words().findAll { !Help.docs().containsKey(it) } == [] as Set
    }

    def "help lists every DSL word and every shell command"() {
        when:
        help.show('')

        then:
        LabCompiler.words().every { shown().contains(it) }
        ShellCommands.USAGE.values().every { shown().contains(it) }
    }

    def "help WORD shows the word's signatures, from LabScript's methods, and its example"() {
        when:
        help.show('server')

        then:
        shown().readLines()[0] == '  Server server(Map)'
        shown().contains("srv = server on: container(hostname: 'box')")
    }

    def "a word that is also a command (trace) shows both"() {
        when:
        help.show('trace')

        then:
        shown().contains('trace on|off')
        shown().contains('Object trace(Closure)')
    }

    def "an unknown word is one line with a suggestion"() {
        when:
        help.show('sever')

        then:
        IllegalArgumentException e = thrown()
        e.message == "no word or command 'sever' — did you mean 'server'?"
    }
}
