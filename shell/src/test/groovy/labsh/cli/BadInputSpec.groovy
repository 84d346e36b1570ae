package labsh.cli

import java.nio.file.Files
import java.nio.file.Path
import labsh.dsl.LabScript
import labsh.kernel.Privilege
import labsh.runtime.Repository
import picocli.CommandLine
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

/**
 * Bad input through the command line, generated with a seed ({@code -Dlabsh.fuzz.seed=N} for
 * another sample): every lab script of labs/ with one of its words mistyped; a server word with
 * one argument of the wrong type or out of range; lsns with pids that name no process, are no
 * number, are a kernel thread or a thread; and lab paths with spaces and unicode. Each ends in one
 * clear line (file:line first for a lab), the documented exit status, no stack trace, and nothing
 * left in the kernel's view (scripts/leaks).
 */
class BadInputSpec extends Specification {
    static final long SEED = Long.getLong('labsh.fuzz.seed', 20261123L)
    static final Path DIR = Path.of('target/bad input ✓ ключ').toAbsolutePath()
    static final Path LEAKS = Repository.path('scripts/leaks')

    @Shared List<String> leaksBefore
    StringWriter out = new StringWriter(), err = new StringWriter()

    def setupSpec() {
        println "BadInputSpec seed=${SEED} (another sample: -Dlabsh.fuzz.seed=N)"
        Files.createDirectories(DIR)
        leaksBefore = leaks()
    }

    def cleanupSpec() {
        List<String> left = ours(leaks() - leaksBefore)
        for (int i = 0; i < 25 && left; i++) { sleep(200); left = ours(leaks() - leaksBefore) }
        assert left.isEmpty(): "left behind: ${left}"
    }

    /**
     * Ledgers and mounts are named after the labsh process that made them: on a machine where
     * other labsh runs go on meanwhile, only this JVM's count (its labs run in-process).
     */
    static List<String> ours(List<String> lines) {
        String me = "${ProcessHandle.current().pid()}"
        lines.findAll { String l ->
            if (l.startsWith('ledger ')) return l.startsWith("ledger ${me}-")
            if (l.startsWith('mount ')) return l.contains("/${me}/") || l.contains(DIR.toString())
            true
        }
    }

    static List<String> leaks() {
        Process p = new ProcessBuilder(LEAKS.toString()).redirectErrorStream(true).start()
        List<String> lines = p.inputStream.text.readLines()
        p.waitFor()
        lines
    }

    private int labsh(String... args) {
        CommandLine cl = Main.commandLine()
        cl.out = new PrintWriter(out, true)
        cl.err = new PrintWriter(err, true)
        cl.execute(args)
    }

    private static boolean hasStackTrace(String s) { s =~ /(?m)^\s+at [\w.$]+\(|Exception:|Caught:/ }

    // ---- lab scripts with a mistyped word ------------------------------------------------------

    def "#lab with '#word' mistyped as '#typo' on line #line: exit 4, file:line and the word it meant, nothing run"() {
        given:
        Path script = DIR.resolve("typo ✓ ${typo}-${lab}")
        Files.writeString(script, text)

        when:
        int status = labsh(script.toString())
        List<String> lines = err.toString().readLines()

        then:
        status == ExitCode.BAD_INPUT
        lines[0].startsWith("${script}:${line}: ")
        lines[0].contains("'${typo}'")
        lines[0].contains("did you mean '${word}'")
        !hasStackTrace(err.toString())
        !out.toString().contains('── step')

        where:
        [lab, word, typo, line, text] << Typos.generate(SEED, 4)
    }

    // ---- a word's arguments of the wrong type ---------------------------------------------------

    @Requires({ Privilege.isRoot() }) // a valid server writes a SysV segment and a ledger under /run/labsh
    def "server with #option: #shown: exit 1, one line at the lab's line naming the option, nothing left"() {
        given:
        Map<String, String> args = [port: '5391', projId: '31', name: "'srv'", shmMessage: "'a'", socketMessage: "'b'", on: 'host', info: 'info']
        args[option] = value
        Path script = DIR.resolve("arguments ✓ ${option}.groovy")
        Files.writeString(script, """\
            lab 'bad arguments'
            def info = workdir 'info'
            def key = workfile 'key'
            step('a server') {
                server ${args.collect { k, v -> "$k: $v" }.join(', ')}, shm: key, timeout: 1
            }
            """.stripIndent())

        when:
        int status = labsh(script.toString())
        List<String> lines = err.toString().readLines()

        then:
        status == ExitCode.LAB_FAILED
        lines.size() == 1
        lines[0].startsWith("${script}:5: step 1 'a server' failed: ")
        // the option named in the message itself (the script's file name holds it too)
        lines[0].substring("${script}:5: ".length()) =~ /\b${option}\b/
        !hasStackTrace(err.toString())

        where:
        [option, value] << WrongArguments.generate(SEED, 3)
        shown = value.take(40)
    }

    // ---- lsns with pids that are not processes ---------------------------------------------------

    def "lsns #pid (#what): exit #expected, one line"() {
        when:
        int status = labsh('lsns', pid)
        List<String> lines = err.toString().readLines()

        then:
        status == expected
        lines.size() == 1
        lines[0].startsWith('labsh: ')
        !hasStackTrace(err.toString())
        out.toString().isEmpty()

        where:
        [what, pid, expected] << Pids.generate(SEED, 8)
    }

    @Requires({ Privilege.isRoot() }) // /proc/2/ns/* of a kernel thread: ptrace access to root's kthreadd
    def "lsns of a kernel thread shows the namespaces it is in (the host's), as util-linux lsns -p does"() {
        when:
        int status = labsh('lsns', '-n', '2')

        then:
        status == ExitCode.OK
        err.toString().isEmpty()
        List<String> rows = out.toString().readLines()
        !rows.isEmpty()
        rows.every { String row ->
            List<String> col = row.trim().split(/\s+/) as List
            // this JVM runs in the host's namespaces, as init does (readlink of init's own needs ptrace access to it)
            String link = Files.readSymbolicLink(Path.of("/proc/${ProcessHandle.current().pid()}/ns/${col[1]}")).toString()
            link == "${col[1]}:[${col[0]}]".toString()
        }
    }

    def "lsns of a thread id (not a process): exit 4, one line naming the process it belongs to"() {
        given:
        long self = ProcessHandle.current().pid()
        String tid = Path.of("/proc/${self}/task").toFile().list().find { it != "${self}" }

        when:
        int status = labsh('lsns', tid)

        then:
        status == ExitCode.BAD_INPUT
        err.toString().readLines() == ["labsh: pid ${tid} is a thread of process ${self}, not a process (lsns takes a process id)".toString()]
    }

    // ---- paths with spaces and unicode -----------------------------------------------------------

    def "labsh run '#name': a lab at a path with spaces and unicode runs"() {
        given:
        Path script = Files.createDirectories(DIR.resolve(name)).resolve("${name}.groovy")
        Files.writeString(script, "lab 'at ${name.replace('\'', '')}'\nstep('one') { check('one is one') { 1 == 1 } }\n")

        expect:
        labsh('run', script.toString()) == ExitCode.OK
        out.toString().contains('✓ one is one')
        err.toString().isEmpty()

        where:
        name << Paths.generate(SEED, 6)
    }

    def "labsh run '#name' that is not there, or not a lab: exit 4, one line naming the path"() {
        given:
        Path p = DIR.resolve(name)
        if (kind == 'dir') Files.createDirectories(p)
        if (kind == 'binary') { byte[] b = new byte[512]; new Random(SEED).nextBytes(b); Files.write(p, b) }
        if (kind == 'empty') Files.write(p, new byte[0])

        when:
        int status = labsh('run', p.toString())
        List<String> lines = err.toString().readLines()

        then:
        status == (kind == 'empty' ? ExitCode.OK : ExitCode.BAD_INPUT)
        kind == 'empty' || lines[0].startsWith(kind == 'binary' ? "${p}:" : "labsh: no lab script at ${p}")
        !hasStackTrace(err.toString())

        where:
        [name, kind] << Paths.generate(SEED + 1, 4).collectMany { String n -> [[n + ' missing', 'missing'], [n + ' dir', 'dir'], [n + ' binary', 'binary']] } +
                        [['empty ✓.groovy', 'empty']]
    }

    // ---- generators -----------------------------------------------------------------------------

    /** Typos of the words a lab uses: two neighbours swapped, one letter dropped, or one doubled. */
    static final class Typos {
        static List<List> generate(long seed, int perLab) {
            Random r = new Random(seed)
            Set<String> words = LabScript.methods*.name.findAll { it ==~ /[a-z][A-Za-z]{3,}/ } as Set
            words -= ['getProperty', 'setProperty', 'invokeMethod', 'getMetaClass', 'setMetaClass', 'getClass', 'equals', 'hashCode', 'toString', 'wait', 'notify', 'notifyAll', 'evaluate', 'getBinding', 'setBinding']
            List<List> cases = []
            Repository.path('labs').toFile().listFiles().findAll { it.name.endsWith('.groovy') }.sort { it.name }.each { File lab ->
                List<String> lines = lab.readLines()
                List<List> sites = []
                lines.eachWithIndex { String l, int i ->
                    if (l.trim().startsWith('//') || l.trim().startsWith('import')) return
                    (l =~ /\b([a-z][A-Za-z]{3,})\b(?=\s*[\('"\w])/).each { m ->
                        String w = m[1]
                        int at = l.indexOf(w)
                        String before = l.substring(0, at)
                        boolean inString = before.count("'") % 2 == 1 || before.count('"') % 2 == 1
                        if (w in words && !inString && !(w in lines.join('\n').findAll(/(?:def|[A-Z]\w*)\s+(\w+)\s*=/) { it[1] })) sites << [i, w]
                    }
                }
                Collections.shuffle(sites, r)
                sites.unique { it[1] }.take(perLab).each { site ->
                    int i = site[0]; String w = site[1]
                    String typo = mistype(w, r)
                    if (typo in words) return
                    List<String> changed = new ArrayList<>(lines)
                    changed[i] = changed[i].replaceFirst(/\b${w}\b/, typo)
                    cases << [lab.name, w, typo, i + 1, changed.join('\n') + '\n']
                }
            }
            cases
        }

        static String mistype(String w, Random r) {
            int k = 1 + r.nextInt(w.length() - 2)
            switch (r.nextInt(3)) {
                case 0: return w[k] == w[k + 1] ? w.substring(0, k) + w.substring(k + 1) : w.substring(0, k) + w[k + 1] + w[k] + w.substring(k + 2)
                case 1: return w.substring(0, k) + w.substring(k + 1)
                default: return w.substring(0, k) + w[k] + w.substring(k)
            }
        }
    }

    /** For each option of the server word, values of the wrong type or out of range (Groovy source). */
    static final class WrongArguments {
        static List<List<String>> generate(long seed, int perOption) {
            Random r = new Random(seed)
            Map<String, List<String>> bad = [
                    port: ["'abc'", '0', '-1', '65536', '4294972687L', '5391.5', "'٥٣٩١'", '[5391]', 'null', '99999999999999999999G'],
                    projId: ["'x'", '0', '256', '-31', '4294967327L', '31.9', "'３１'", 'null', '[31]'],
                    name: ["'../escape'", "'a/b'", "''", "'.'", "'..'", 'null', "'nul\\u0000byte'"],
                    shmMessage: ["'two words'", "''", 'null', "'tab\\there'", "'x' * 5000"],
                    socketMessage: ["'line\\nbreak'", "''", 'null', "'\\u2003em-space'"],
                    on: ["'host'", '42', '[:]', 'info'],
                    info: ["'/nonexistent ✓/dir'", '42', 'key', 'null', "'relative dir'"]]
            List<List<String>> cases = []
            bad.each { String option, List<String> values ->
                List<String> shuffled = new ArrayList<>(values)
                Collections.shuffle(shuffled, r)
                shuffled.take(perOption).each { cases << [option, it] }
            }
            cases
        }
    }

    /** Pids that name no process, are no number, or are out of range; with the exit status each must give. */
    static final class Pids {
        static List<List> generate(long seed, int random) {
            Random r = new Random(seed)
            // not Files.readString: on a sysctl file it read '3' of '32768' here (a short first read, then EOF)
            int pidMax = Integer.parseInt(Files.readAllLines(Path.of('/proc/sys/kernel/pid_max'))[0].trim())
            List<List> cases = [
                    ['pid 0', '0', ExitCode.USAGE],
                    ['negative', '-1', ExitCode.USAGE],
                    ['over int', '99999999999', ExitCode.USAGE],
                    ['empty', '', ExitCode.USAGE],
                    ['a space', ' ', ExitCode.USAGE],
                    ['hex', '0x10', ExitCode.USAGE],
                    ['unicode digits', '١٢٣', ExitCode.USAGE],
                    ['self', 'self', ExitCode.USAGE],
                    ['over pid_max', Integer.toString(pidMax + 1), ExitCode.BAD_INPUT],
                    ['Integer.MAX_VALUE', '2147483647', ExitCode.BAD_INPUT]]
            for (int n = 0; n < random; n++) {
                int pid = 0
                for (int tries = 0; tries < 1000 && (pid == 0 || Files.exists(Path.of('/proc/' + pid))); tries++) {
                    pid = 1 + r.nextInt(pidMax - 1) // drawn until it names no process
                }
                cases << ['no such process', Integer.toString(pid), ExitCode.BAD_INPUT]
                StringBuilder junk = new StringBuilder()
                (1 + r.nextInt(8)).times { junk.appendCodePoint([0x41 + r.nextInt(26), 0x30 + r.nextInt(10), 0x4e2d, 0x1f600, 0x20, 0x2d][r.nextInt(6)]) }
                if (!(junk.toString().trim() ==~ /\d+/)) cases << ['junk', junk.toString(), ExitCode.USAGE]
            }
            cases
        }
    }

    /** Directory and file names with spaces, unicode, quotes and shell characters. */
    static final class Paths {
        static List<String> generate(long seed, int count) {
            Random r = new Random(seed)
            List<String> parts = ['lab', 'my lab', 'ключ', '鍵', '✓', '😀', 'é', "it's", '$HOME', '*', '[x]', ' ', '-', 'a;b', '#']
            (1..count).collect {
                String n = (1..(1 + r.nextInt(4))).collect { parts[r.nextInt(parts.size())] }.join(' ').trim()
                n.startsWith('-') || n.isEmpty() ? 'x' + n : n
            }.unique()
        }
    }
}
