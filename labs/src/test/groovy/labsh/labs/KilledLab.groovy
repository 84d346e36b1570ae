package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A lab run in a JVM of its own ({@link RunLab}), to be killed with SIGKILL half-way, as a student's
 * labsh might be: what it leaves is then for `labsh clean` (labsh.runtime.Cleaner) to remove. It
 * has its own state directory (LABSH_STATE), so that cleaning its ledgers touches no other run's.
 */
class KilledLab implements AutoCloseable {
    final Process process
    final Path log
    final Path state

    KilledLab(Path script, Path log, Path state) {
        this.log = log
        this.state = state
        String cp = System.getProperty('surefire.test.class.path') ?: System.getProperty('java.class.path')
        List<String> cmd = [Path.of(System.getProperty('java.home'), 'bin', 'java').toString(), '-cp', cp]
        System.properties.each { k, v -> if (k.toString() ==~ /(labsh|jna|jdk\.lang\.Process)\..*/) cmd << "-D${k}=${v}".toString() }
        cmd += ['labsh.labs.RunLab', script.toString()]
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        pb.environment().put('LABSH_STATE', state.toString())
        process = pb.start()
    }

    /** `labsh clean` for this lab's state directory. */
    labsh.runtime.Cleaner.Report clean() { labsh.runtime.Cleaner.clean(state.resolve('ledgers')) }

    int pid() { (int) process.pid() }

    /** Waits until {@code ready} is true (polled), failing with the child's output if it ends or takes 120 s. */
    void await(String what, Closure<Boolean> ready) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120)
        while (!ready.call()) {
            if (!process.alive || System.nanoTime() > deadline) {
                throw new AssertionError("the lab never got to ${what}:\n" + Files.readString(log))
            }
            Thread.sleep(50)
        }
    }

    /** kill -9, and wait until it is gone. */
    void kill9() {
        process.destroyForcibly()
        assert process.waitFor(30, TimeUnit.SECONDS)
    }

    @Override
    void close() {
        if (process.alive) kill9()
    }
}
