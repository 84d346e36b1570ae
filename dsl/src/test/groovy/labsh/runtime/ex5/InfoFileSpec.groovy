package labsh.runtime.ex5

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

class InfoFileSpec extends Specification {
    @TempDir Path dir

    def "the seed's example parses"() {
        given:
        def f = dir.resolve('s1')
        Files.writeString(f, '1.1.1.1\n1234\nabcd\n10\n')

        expect:
        InfoFile.parse(f) == new InfoFile('1.1.1.1', 1234, 'abcd', 10)
    }

    def "a malformed info file is refused with one line naming the file and why: #why"() {
        given:
        def f = dir.resolve('bad')
        if (content == 'DIR') Files.createDirectory(f) else Files.write(f, content instanceof byte[] ? content : content.toString().bytes)

        when:
        InfoFile.parse(f)

        then:
        def e = thrown(InfoFile.BadInfoFile)
        e.message.startsWith('bad: ')
        e.message.contains(expected)
        !e.message.contains('\n')

        where:
        why                 | content                                   | expected
        'missing lines'     | '127.0.0.1\n1234\n'                       | 'has 2 line(s), expected 4'
        'non-numeric port'  | '127.0.0.1\nhttp\n/tmp\n1\n'              | "port 'http' is not a number"
        'port 0'            | '127.0.0.1\n0\n/tmp\n1\n'                 | 'port 0 is outside 1..65535'
        'port 70000'        | '127.0.0.1\n70000\n/tmp\n1\n'             | 'port 70000 is outside 1..65535'
        'bad IP'            | '300.1.1.1\n1234\n/tmp\n1\n'              | 'is not an IPv4 or IPv6 address'
        'host name, no DNS' | 'example\n1234\n/tmp\n1\n'                | 'is not an IPv4 or IPv6 address'
        'proj_id 0'         | '127.0.0.1\n1234\n/tmp\n0\n'              | 'proj_id 0 is outside 1..255'
        'empty file'        | ''                                        | 'is empty'
        'a directory'       | 'DIR'                                     | 'is a directory'
        '1 MB of junk'      | ('x' * (1 << 20))                         | 'is larger than 4096 bytes'
        'not UTF-8'         | ([0xff, 0xfe, 0x0a] as byte[])            | 'is not UTF-8 text'
        'trailing junk'     | '127.0.0.1\n1234\n/tmp\n1\nmore\n'        | 'more than 4 lines'
    }

    def "written atomically: a reader never sees half a file, and no temporary file stays"() {
        when:
        def path = new InfoFile('127.0.0.1', 5000, '/tmp/x', 7).write(dir, 'srv')

        then:
        Files.readAllLines(path) == ['127.0.0.1', '5000', '/tmp/x', '7']
        Files.list(dir).count() == 1
    }
}
