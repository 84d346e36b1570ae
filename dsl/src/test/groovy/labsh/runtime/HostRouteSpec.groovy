package labsh.runtime

import labsh.kernel.Privilege
import spock.lang.Requires
import spock.lang.Specification

// Adding a route needs CAP_NET_ADMIN.
@Requires({ Privilege.isRoot() })
class HostRouteSpec extends Specification {
    static final String NET = '10.0.2.0/24'

    def "an unreachable route makes connect fail at once, and is gone after close"() {
        given:
        assert !HostRoute.exists(NET)

        when:
        def route = HostRoute.unreachable(NET)

        then: 'the kernel routing table holds it'
        new ProcessBuilder('ip', 'route', 'get', '10.0.2.15').start().with {
            waitFor()
            errorStream.text.contains('No route to host') || inputStream.text.contains('unreachable')
        }

        when:
        route.close()

        then:
        !HostRoute.exists(NET)
    }
}
