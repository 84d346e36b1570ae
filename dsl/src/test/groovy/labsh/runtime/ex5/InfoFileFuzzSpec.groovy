package labsh.runtime.ex5

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

/**
 * Info files (seed 002: IP, port, shm_pathname, proj_id, one per line) made from the seed's valid
 * lines with seeded random damage: unicode, control characters, spaces of every kind, huge and
 * negative numbers, fullwidth digits, missing and extra lines, CRLF, invalid UTF-8, oversize files.
 * Each is judged by the seed's rules written out again here; a file they accept parses to exactly
 * its fields, and every other one is refused with one clear line: it names the file, has no control
 * character or broken surrogate (nothing that could garble a terminal), and is short.
 * {@code -Dlabsh.fuzz.seed=N} runs another sample; the default keeps CI repeatable.
 */
class InfoFileFuzzSpec extends Specification {
    static final long SEED = Long.getLong('labsh.fuzz.seed', 20261123L)
    static final int CASES = 400

    @TempDir Path dir
    @Shared int accepted = 0, refused = 0

    def setupSpec() {
        println "InfoFileFuzzSpec seed=${SEED} (another sample: -Dlabsh.fuzz.seed=N)"
    }

    def "generated info file #n is parsed by the seed's rules or refused with one clear line"() {
        given:
        Path f = dir.resolve("server ✓ ${n}")
        Files.write(f, bytes)
        Map expected = SeedRules.judge(bytes)

        when:
        InfoFile parsed = null
        InfoFile.BadInfoFile bad = null
        try {
            parsed = InfoFile.parse(f)
        } catch (InfoFile.BadInfoFile e) {
            bad = e
        }

        then:
        if (expected.ok) {
            assert bad == null: "the seed's rules accept ${SeedRules.show(bytes)} but: ${bad?.message}"
            assert parsed == new InfoFile(expected.ip, expected.port, expected.path, expected.projId)
            accepted++
        } else {
            assert bad != null: "the seed's rules refuse ${SeedRules.show(bytes)} (${expected.why}) but it parsed as ${parsed}"
            assert bad.message.startsWith("server ✓ ${n}: ")
            assert SeedRules.isOneClearLine(bad.message): "not one clear line: ${SeedRules.show(bad.message.getBytes(StandardCharsets.UTF_8))}"
            assert bad.message.length() < 400
            refused++
        }

        where:
        [n, bytes] << SeedRules.generate(SEED, CASES)
    }

    def "the sample held both kinds: files the rules accept and files they refuse"() {
        expect:
        accepted > CASES / 10
        refused > CASES / 2
    }

    /** The seed's format, as a reader of the seed would check it, and a generator of damaged files. */
    static final class SeedRules {
        static final List<String> IPS = ['127.0.0.1', '1.1.1.1', '10.0.2.15', '255.255.255.255', '::1', 'fe80::1']
        static final List<String> JUNK_NUMBERS = ['0', '-1', '+80', '0080', '65535', '65536', '99999999999999999999',
                                                  '2147483648', '８０', '80.0', '0x50', '1e3', '٣', '', ' ']
        static final List<String> SPACES = [' ', '\t', '\u00a0', '\u2003', '\u3000', '\u200b', '\u000b', '\f']

        static List<List> generate(long seed, int count) {
            Random r = new Random(seed)
            (1..count).collect { int n -> [n, one(r)] }
        }

        static byte[] one(Random r) {
            int kind = r.nextInt(10)
            if (kind == 0) { // raw bytes, mostly not UTF-8
                byte[] b = new byte[r.nextInt(64)]
                r.nextBytes(b)
                return b
            }
            if (kind == 1) { // oversize
                return ('1.1.1.1\n80\n/p\n1\n' + ' ' * (4096 + r.nextInt(10000))).getBytes(StandardCharsets.UTF_8)
            }
            List<String> lines = [pick(r, IPS), "${1 + r.nextInt(65535)}".toString(), path(r), "${1 + r.nextInt(255)}".toString()]
            int damage = r.nextInt(4) // 0: left valid (but maybe padded)
            damage.times {
                int line = r.nextInt(4)
                switch (r.nextInt(6)) {
                    case 0: lines[line] = junk(r); break
                    case 1: lines[line] = line in [1, 3] ? pick(r, JUNK_NUMBERS) : junk(r); break
                    case 2: lines.remove(r.nextInt(lines.size())); break
                    case 3: lines << (r.nextBoolean() ? '' : junk(r)); break
                    case 4: lines[line % lines.size()] = pick(r, SPACES) + lines[line % lines.size()] + pick(r, SPACES); break
                    default: lines[line] = line == 0 ? "${r.nextInt(400)}.${r.nextInt(300)}.1.${r.nextInt(260)}".toString() : junk(r)
                }
            }
            String eol = r.nextInt(5) == 0 ? '\r\n' : '\n'
            (lines.join(eol) + (r.nextBoolean() ? eol : '')).getBytes(StandardCharsets.UTF_8)
        }

        static String path(Random r) {
            pick(r, ['/tmp/ex5 key', '/run/labsh/work/1/ex5-shm-key', 'abcd', '/tmp/ключ', '/tmp/鍵 ✓', '/tmp/' + 'x' * 300])
        }

        /** Random text from awkward ranges: controls, latin-1, RTL, combining marks, CJK, emoji, zero-width. */
        static String junk(Random r) {
            int[][] ranges = [[0x01, 0x1f], [0x20, 0x7e], [0xa0, 0xff], [0x590, 0x5ff], [0x300, 0x36f],
                              [0x4e00, 0x4eff], [0x1f600, 0x1f64f], [0x200b, 0x200f], [0x2028, 0x2029], [0x7f, 0x9f]]
            StringBuilder sb = new StringBuilder()
            (1 + r.nextInt(60)).times {
                int[] range = ranges[r.nextInt(ranges.length)]
                int cp = range[0] + r.nextInt(range[1] - range[0] + 1)
                if (cp != 0x0a && cp != 0x0d && cp != 0x3a) sb.appendCodePoint(cp) // no line breaks, no ':' (IPv6)
            }
            sb.toString()
        }

        static <T> T pick(Random r, List<T> l) { l[r.nextInt(l.size())] }

        /** The seed's rules: 4 lines (blank lines after them allowed), an IPv4 or IPv6 address, a port 1..65535, a path, a proj_id 1..255. */
        static Map judge(byte[] bytes) {
            if (bytes.length == 0) return [ok: false, why: 'empty']
            if (bytes.length > 4096) return [ok: false, why: 'oversize']
            String text
            try {
                text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString()
            } catch (java.nio.charset.CharacterCodingException ignored) {
                return [ok: false, why: 'not UTF-8']
            }
            List<String> lines = text.split(/\r\n|\r|\n/, -1).collect { it.strip() }
            while (lines && lines.last().isEmpty()) lines.removeLast()
            if (lines.size() != 4) return [ok: false, why: "${lines.size()} lines"]
            String ip = lines[0]
            boolean v4 = ip.split(/\./, -1).with { parts -> parts.size() == 4 && parts.every { it ==~ /0|[1-9][0-9]{0,2}/ && it.toInteger() <= 255 } }
            boolean v6 = ip in ['::1', 'fe80::1']
            if (!v4 && !v6) return [ok: false, why: 'address']
            if (!(lines[1] ==~ /[0-9]{1,9}/) || !(lines[1].toInteger() in 1..65535)) return [ok: false, why: 'port']
            if (lines[2].isEmpty()) return [ok: false, why: 'path']
            if (!(lines[3] ==~ /[0-9]{1,9}/) || !(lines[3].toInteger() in 1..255)) return [ok: false, why: 'proj_id']
            [ok: true, ip: ip, port: lines[1].toInteger(), path: lines[2], projId: lines[3].toInteger()]
        }

        /** One line a terminal shows as it is: no control character (C0, DEL, C1), no line or paragraph separator, no lone surrogate. */
        static boolean isOneClearLine(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i)
                if (Character.isISOControl(c) || c == '\u2028' as char || c == '\u2029' as char) return false
                if (Character.isHighSurrogate(c)) {
                    if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false
                    i++
                } else if (Character.isLowSurrogate(c)) return false
            }
            true
        }

        static String show(byte[] b) {
            new String(b, StandardCharsets.UTF_8).collect { String c -> c.codePointAt(0) < 0x20 || c == '\u007f' ? String.format('\\x%02x', c.codePointAt(0)) : c }.join()
        }
    }
}
