package labsh.runtime.container

import spock.lang.Requires
import spock.lang.Specification

/** lsns --raw output as rows, and the difference between two listings. */
class LsnsTableSpec extends Specification {
    static final String IN_CONTAINER = '''\
4026531835 cgroup 2 1 nsinit -i -- sleep 3600
4026532417 mnt 2 1 nsinit -i -- sleep 3600
4026532418 pid 2 1 nsinit -i -- sleep 3600
'''
    static final String ON_HOST = '''\
4026531835 cgroup 195 1 /lib/systemd/systemd --system
4026531836 pid 193 1 /lib/systemd/systemd --system
4026531860 mnt 1 15 \\xe2\\x94\\x94\\xe2\\x94\\x80kdevtmpfs
4026532417 mnt 3 311215 nsinit -i -- sleep 3600
4026532418 pid 2 311216 nsinit -i -- sleep 3600
'''

    def "rows keep the command's spaces and decode --raw's \\\\xHH escapes"() {
        when:
        LsnsTable t = LsnsTable.parse(ON_HOST)

        then:
        t.rows().size() == 5
        t.rows()[0] == new LsnsTable.Row(4026531835L, 'cgroup', 195, 1, '/lib/systemd/systemd --system')
        t.rows()[2].command() == '└─kdevtmpfs'
    }

    def "the difference: what only one lists, and what both list with other counts"() {
        given:
        LsnsTable inside = LsnsTable.parse(IN_CONTAINER)
        LsnsTable host = LsnsTable.parse(ON_HOST)

        expect:
        host.notIn(inside)*.ns() == [4026531836L, 4026531860L]
        inside.notIn(host).isEmpty()
        inside.changedIn(host).keySet() == [4026531835L, 4026532417L, 4026532418L] as Set
        inside.changedIn(host)[4026532417L].startsWith('4026532417 mnt: NPROCS 2 vs 3, PID 1 vs 311215')
    }

    def "a line that is not lsns --raw output is refused by name"() {
        when:
        LsnsTable.parse('NS TYPE NPROCS PID COMMAND\n')

        then:
        IllegalArgumentException e = thrown()
        e.message == 'not an lsns --raw line: NS TYPE NPROCS PID COMMAND'
    }

    // util-linux lsns is what the lab runs inside; compare with the kernel's view of this JVM
    @Requires({ new File('/usr/bin/lsns').exists() })
    def "parses the real lsns: this process's namespaces are listed"() {
        given:
        Process p = new ProcessBuilder(LsnsTable.COMMAND).redirectErrorStream(true).start()
        LsnsTable t = LsnsTable.parse(p.inputStream.text)
        Map ns = labsh.kernel.Namespaces.of((int) ProcessHandle.current().pid())

        expect:
        p.waitFor() == 0
        ns.values().every { t.row(it as long) != null }
    }
}
