package labsh.runtime.puzzle

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

class PredictionSpec extends Specification {
    @TempDir Path dir

    static final List<String> NESTED = ['/smt', '    1', '        1', '            1']

    def "tree's output, its ASCII form and plain indentation read the same"() {
        expect:
        Prediction.normalize(text) == NESTED

        where:
        text << [
                '/smt\n└── 1\n    └── 1\n        └── 1\n\n3 directories, 0 files\n',
                '/smt\n└──\u00a01\n\u00a0\u00a0\u00a0\u00a0└──\u00a01\n\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0└──\u00a01\n',
                '/smt\n`-- 1\n    `-- 1\n        `-- 1\n',
                '/smt\n  1\n    1\n      1\n'
        ]
    }

    def "sections give each variant its own prediction; lines before them are for both"() {
        given:
        Prediction p = Prediction.parse('# my guess\n/smt\n└── 1\n[private]\n/smt\n└── 1\n    └── 1\n')

        expect:
        p.forVariant(Prediction.SHARED) == ['/smt', '    1']
        p.forVariant(Prediction.PRIVATE) == ['/smt', '    1', '        1']
    }

    def "the diff marks what was predicted but is not there (-) and what is there but was not predicted (+)"() {
        expect:
        Prediction.diff(['/smt', '    1'], NESTED) == ['  /smt', '      1', '+         1', '+             1']
        Prediction.diff(NESTED, ['/smt', '    1']) == ['  /smt', '      1', '-         1', '-             1']
        Prediction.diff(NESTED, NESTED).every { it.startsWith('  ') }
    }

    def "a bad prediction file is one line"() {
        given:
        Path empty = Files.writeString(dir.resolve('empty.txt'), '# nothing\n\n')
        Path section = Files.writeString(dir.resolve('section.txt'), '[shard]\n/smt\n')

        when:
        Prediction.read(dir.resolve(name))

        then:
        def e = thrown(IllegalArgumentException)
        e.message == message.replace('DIR', dir.toString())

        where:
        name          | message
        'missing.txt' | '--predict: no file at DIR/missing.txt'
        'empty.txt'   | '--predict: DIR/empty.txt has no listing in it (write the tree you expect for /smt)'
        'section.txt' | '--predict: unknown section [shard] (use [shared] or [private])'
    }
}
