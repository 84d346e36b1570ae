package labsh.kernel

import spock.lang.Specification

class ErrnoSpec extends Specification {
    def "errno numbers read as the kernel's names and libc's text"() {
        expect:
        Errno.name(n) == name
        Errno.text(n) == text

        where:
        n  | name     | text
        2  | 'ENOENT' | 'No such file or directory'
        22 | 'EINVAL' | 'Invalid argument'
        1  | 'EPERM'  | 'Operation not permitted'
    }

    def "a failed call names itself, its arguments and errno"() {
        when:
        Syscall.call('setns', '-1, CLONE_NEWIPC') { Libc.setns(-1, 0x08000000) }

        then:
        def e = thrown(KernelException)
        e.message == 'setns(-1, CLONE_NEWIPC) failed: EBADF (Bad file descriptor)'
        e.errno() == 9
    }
}
