package labsh.runtime.container

import java.time.Duration
import spock.lang.Requires
import spock.lang.Specification

/** Driving an interactive busybox sh -i through pipes, as a container's init child runs. */
@Requires({ new File('/bin/busybox').exists() })
class ShellSessionSpec extends Specification {
    Process sh
    ShellSession session

    def setup() {
        ProcessBuilder pb = new ProcessBuilder('/bin/busybox', 'sh', '-i').redirectErrorStream(true)
        pb.environment().put('PS1', 'box> ')
        sh = pb.start()
        session = new ShellSession(sh.outputStream, sh.inputStream, 'box> ')
        session.awaitPrompt(Duration.ofSeconds(10))
    }

    def cleanup() {
        session.close()
        sh.waitFor()
    }

    def "each typed line gives its own output, without prompts, also after a pipeline"() {
        expect:
        session.type('echo one', Duration.ofSeconds(10)) == 'one'
        session.type('echo a b | tr " " "\\n" | wc -l', Duration.ofSeconds(10)) == '2'
        session.type('echo two; echo three', Duration.ofSeconds(10)) == 'two\nthree'
        session.type('true', Duration.ofSeconds(10)) == ''
        session.transcript().contains('box> ')
    }

    def "a shell that ends is an error naming the line"() {
        when:
        session.type('exit 3', Duration.ofSeconds(10))

        then:
        IllegalStateException e = thrown()
        e.message.startsWith("the container's shell ended while waiting for 'exit 3'")
    }

    def "end of input ends the shell"() {
        when:
        session.close()

        then:
        sh.waitFor() == 0
    }
}
