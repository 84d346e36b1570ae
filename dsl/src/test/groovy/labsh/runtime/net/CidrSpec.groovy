package labsh.runtime.net

import spock.lang.Specification

class CidrSpec extends Specification {
    def "parses an interface address and knows its subnet"() {
        when:
        def c = Cidr.parse('10.0.0.1/24')

        then:
        c.ip() == '10.0.0.1'
        c.prefix() == 24
        c.toString() == '10.0.0.1/24'
        c.sameSubnet(Cidr.parse('10.0.0.254/24'))
        !c.sameSubnet(Cidr.parse('10.0.1.1/24'))
    }

    def "the automatic plan is 10.200.N.H/24"() {
        expect:
        Cidr.auto(3, 2).toString() == '10.200.3.2/24'
    }

    def "a bad address is refused in one sentence: #text"() {
        when:
        Cidr.parse(text)

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "'${text}' is not a usable address: ${why}".toString()
        !e.message.contains('\n')

        where:
        text            | why
        '10.0.0.1'      | 'it needs a prefix length, like 10.0.0.1/24'
        '10.0.1/24'     | 'an IPv4 address has four numbers separated by dots'
        '10.0.0.300/24' | "'300' is not a number from 0 to 255"
        '10.0.0.x/24'   | "'x' is not a number from 0 to 255"
        '10.0.0.1/33'   | 'use a prefix length from 8 to 30 (a link needs a subnet with room for two hosts)'
        '10.0.0.1/ab'   | "the prefix length 'ab' is not a number"
        '10.0.0.0/24'   | "it is the subnet's network address"
        '10.0.0.255/24' | "it is the subnet's broadcast address"
    }
}
