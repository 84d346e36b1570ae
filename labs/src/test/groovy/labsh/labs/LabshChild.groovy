package labsh.labs

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * labsh as a user runs it, in its own JVM: {@code java -cp <the test classpath> labsh.cli.Main ARGS}
 * with the launcher's JVM options (surefire runs before the jar is packaged, so the classpath is
 * the one this spec runs with). Its output goes to a log file, shown when a spec fails.
 */
class LabshChild {
    final Process process
    final Path log
    final long startNanos

    private LabshChild(Process process, Path log, long startNanos) {
        this.process = process
        this.log = log
        this.startNanos = startNanos
    }

    static String classpath() {
        System.getProperty('surefire.test.class.path') ?: System.getProperty('java.class.path')
    }

    static List<String> command(List<String> args) {
        String java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        [java, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djdk.lang.Process.launchMechanism=VFORK',
         "-Dlabsh.home=${KernelView.REPO}".toString(), '-cp', classpath(), 'labsh.cli.Main'] + args
    }

    /** Starts labsh with {@code args}; {@code env} adds to the environment (LABSH_STATE, LABSH_VM). */
    static LabshChild start(List<String> args, Map<String, String> env, Path log) {
        Files.createDirectories(log.parent)
        ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File('/dev/null')))
        pb.environment().putAll(env)
        long t0 = System.nanoTime()
        new LabshChild(pb.start(), log, t0)
    }

    /** Runs labsh to its end (at most {@code timeoutSeconds}); returns the exit status. */
    static int run(List<String> args, Map<String, String> env, Path log, long timeoutSeconds = 120) {
        start(args, env, log).waitFor(timeoutSeconds)
    }

    int waitFor(long timeoutSeconds = 120) {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly()
            throw new AssertionError("labsh did not finish within ${timeoutSeconds} s: ${output()}")
        }
        process.exitValue()
    }

    double elapsedSeconds() { (System.nanoTime() - startNanos) / 1e9 }

    /** kill -9 of the labsh JVM alone, as a crash would: its children stay, orphaned. */
    void kill9() {
        process.destroyForcibly()
        process.waitFor(30, TimeUnit.SECONDS)
    }

    /**
     * Seconds from this run's start to the appearance of its ledger under {@code stateDir}
     * (polled every 5 ms: labsh writes it before its first kernel object), or null if it ends first.
     */
    Double awaitLedger(Path stateDir) {
        Path dir = stateDir.resolve('ledgers')
        String prefix = "${pid()}-"
        while (process.alive) {
            if (Files.isDirectory(dir) && dir.toFile().list().any { it.startsWith(prefix) }) return elapsedSeconds()
            sleep(5)
        }
        null
    }

    /** The ledger file of this run, if it has one now. */
    Path ledger(Path stateDir) {
        File[] all = stateDir.resolve('ledgers').toFile().listFiles()
        all?.find { it.name.startsWith("${pid()}-") }?.toPath()
    }

    String output() { Files.exists(log) ? Files.readString(log) : '' }

    long pid() { process.pid() }
}
