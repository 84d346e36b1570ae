package labsh.kernel

import spock.lang.Specification

class ProcessesSpec extends Specification {
    List<Integer> adopted = []

    def cleanup() {
        for (int pid : adopted) {
            // kill and reap whatever the test left, so no zombie or process remains
            try { Processes.kill(pid, Processes.SIGKILL); Processes.waitpid(pid, 0) } catch (KernelException ignored) {}
        }
        Processes.setChildSubreaper(false)
    }

    /**
     * A process the JVM did not start (its reaper thread would race our waitpid): sh starts
     * {@code script} in the background, prints its pid and exits; as child subreaper this JVM adopts
     * the orphan, and only our waitpid ever reaps it.
     */
    int adopt(String script) {
        Processes.setChildSubreaper(true)
        def sh = new ProcessBuilder('sh', '-c', "sh -c '$script' </dev/null >/dev/null 2>&1 & echo \$!").start()
        int pid = sh.inputStream.text.trim() as int
        sh.waitFor()
        adopted << pid
        assert new File("/proc/$pid/status").readLines().find { it.startsWith('PPid:') }.split()[1] as long == ProcessHandle.current().pid()
        pid
    }

    def "status words decode as the wait(2) macros do"() {
        expect:
        def s = new Processes.Status(1, raw)
        s.exited() == exited && s.signaled() == signaled && s.stopped() == stopped && s.continued() == continued
        s.toString() == text

        where:
        raw              || exited | signaled | stopped | continued | text
        0                || true   | false    | false   | false     | 'exited 0'
        3 << 8           || true   | false    | false   | false     | 'exited 3'
        15               || false  | true     | false   | false     | 'killed by SIGTERM'
        (11 + 0x80)      || false  | true     | false   | false     | 'killed by SIGSEGV (core dumped)'
        (19 << 8) + 0x7f || false  | false    | true    | false     | 'stopped by SIGSTOP'
        0xffff           || false  | false    | false   | true      | 'continued'
    }

    def "waitpid with WNOHANG returns nothing while the child runs, then the signal that killed it"() {
        given:
        int pid = adopt('exec sleep 1000')

        expect:
        Processes.waitpid(pid, true) == null
        Processes.exists(pid)

        when:
        Processes.kill(pid, Processes.SIGTERM)
        def s = Processes.waitpid(pid, false)

        then:
        s.pid() == pid
        s.signaled() && s.termSignal() == Processes.SIGTERM
        s.shellCode() == 143
        !new File("/proc/$pid").exists() // reaped: not even a zombie is left
        !Processes.exists(pid)
    }

    def "a child that stops itself is seen stopped with WUNTRACED, then its exit code after SIGCONT"() {
        given:
        int pid = adopt('kill -STOP $$; exit 3')

        when:
        def stopped = Processes.waitpid(pid, Processes.WUNTRACED)

        then:
        stopped.stopped() && stopped.stopSignal() == Processes.SIGSTOP
        new File("/proc/$pid/stat").text.split(/\) /)[1].startsWith('T')

        when:
        Processes.kill(pid, Processes.SIGCONT)
        def ended = Processes.waitpid(pid, 0)

        then:
        ended.exited() && ended.exitCode() == 3
        ended.toString() == 'exited 3'
    }

    def "waiting for a process that is not our child fails with ECHILD, naming the call"() {
        when:
        Processes.waitpid(1, true)

        then:
        def e = thrown(KernelException)
        e.message == 'waitpid(1, [status], WNOHANG) failed: ECHILD (No child processes)'
    }
}
