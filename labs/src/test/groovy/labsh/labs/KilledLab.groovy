package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A lab run in a JVM of its own, to be killed with SIGKILL half-way, as a student's labsh might be:
 * what it leaves is then for `labsh clean` (labsh.runtime.Cleaner) to remove. The child runs the
 * script through LabRunner with this JVM's class path and labsh's system properties.
 */
class KilledLab implements AutoCloseable {
    final Process process
    final Path log

    KilledLab(Path script, Path log) {
        this.log = log
        List<String> cmd = [Path.of(System.getProperty('java.home'), 'bin', 'java').toString(), '-cp', System.getProperty('java.class.path')]
        System.properties.each { k, v -> if (k.toString() ==~ /(labsh|jna|jdk\.lang\.Process)\..*/) cmd << "-D${k}=${v}".toString() }
        cmd += ['groovy.ui.GroovyMain', '-e',
                "labsh.dsl.LabRunner.run(java.nio.file.Path.of('${script}'), new labsh.dsl.LabOptions(out: System.out, err: System.err))".toString()]
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start()
    }

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
