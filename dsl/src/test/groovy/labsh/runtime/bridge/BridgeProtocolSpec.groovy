package labsh.runtime.bridge

import java.nio.charset.StandardCharsets
import spock.lang.Specification

/** The 256-byte rule and the protocol's parameters (no kernel needed). */
class BridgeProtocolSpec extends Specification {
    static byte[] utf8(String s) { s.getBytes(StandardCharsets.UTF_8) }

    def "text of up to 255 bytes is one piece, as is an empty text"() {
        expect:
        BridgeProtocol.pieces(utf8(text))*.length == [text.bytes.length]

        where:
        text << ['', 'a', 'x' * 255, 'é' * 127 + 'a']
    }

    def "longer text is split into pieces of at most 255 bytes, in order, with nothing lost"() {
        given:
        byte[] text = utf8(s)

        when:
        def pieces = BridgeProtocol.pieces(text)

        then:
        pieces*.length == lengths
        pieces.every { it.length <= BridgeProtocol.MAX_TEXT }
        pieces.collectMany { it as List } == text as List

        where:
        s             || lengths
        'x' * 256     || [255, 1]
        'x' * 510     || [255, 255]
        'x' * 511     || [255, 255, 1]
    }

    def "a cut never falls inside a UTF-8 character: each piece decodes on its own"() {
        given: '€ is 3 bytes: 255 = 85 of them exactly; with one ASCII byte first, the 85th does not fit'
        String s = 'a' + '€' * 100

        when:
        def pieces = BridgeProtocol.pieces(utf8(s))

        then:
        pieces*.length == [253, 48]
        pieces.collect { new String(it, StandardCharsets.UTF_8) }.join('') == s
        pieces.every { p -> Arrays.equals(utf8(new String(p, StandardCharsets.UTF_8)), p) }
    }

    def "seed 000's defaults, and every parameter can be changed"() {
        expect:
        BridgeProtocol.seed('/srv') == new BridgeProtocol(5566, 7788, 1, 2, '/srv', 'message', 'output')
        BridgeProtocol.of('/d', [requestKey: '0x10', replyType: 5, message: 'in']) == new BridgeProtocol(16, 7788, 1, 5, '/d', 'in', 'output')
        BridgeProtocol.seed('/srv').environment().BRIDGE_REQUEST_KEY == '5566'
    }

    def "bad parameters are refused with one sentence"() {
        when:
        BridgeProtocol.of(dir, options)

        then:
        IllegalArgumentException e = thrown()
        e.message.contains(words)

        where:
        dir    | options                           || words
        'rel'  | [:]                               || 'absolute path'
        '/d'   | [requestKey: 0]                   || 'must not be 0'
        '/d'   | [replyType: 0]                    || 'greater than 0'
        '/d'   | [replyKey: 5566, replyType: 1]    || 'two different mtypes'
        '/d'   | [message: 'a/b']                  || "without '/'"
        '/d'   | [output: 'message']               || 'two different files'
        '/d'   | [requestKey: 'five']              || 'must be a number'
    }
}
