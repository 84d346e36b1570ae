package labsh.labs

import java.nio.file.Path
import labsh.dsl.ContainerEvents
import labsh.dsl.LabOptions
import labsh.dsl.LabResult
import labsh.dsl.LabRunner
import labsh.dsl.Unshared
import labsh.kernel.MountInfo
import labsh.kernel.NsType
import labsh.kernel.Privilege
import labsh.runtime.Ledger
import labsh.runtime.container.LsnsTable
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise

/**
 * labs/container-proc.groovy (seed 004 problems 1A and 4), run once as a user runs it. While it
 * runs, each process it starts is read here with the kernel's files and util-linux (nsenter, lsns,
 * findmnt) when it starts and just before it stops; each feature checks one step from that view.
 */
// new pid and mnt namespaces and proc mounts need CAP_SYS_ADMIN: root
@Requires({ Privilege.isRoot() })
@Stepwise
class ContainerProcLabSpec extends Specification {
    @Shared LabResult result
    @Shared List<ContainerView> views = []
    @Shared MountInfo hostProcBefore

    def setupSpec() {
        hostProcBefore = MountInfo.at(MountInfo.of('self'), '/proc')
        AutoCloseable listening = ContainerEvents.listen { String event, Object noun ->
            if (!(noun instanceof Unshared)) return
            Unshared u = (Unshared) noun
            ContainerView v = ContainerView.of(event, u.types*.procName().join('+') + (u.procAt ? '@' + u.procAt : ''), u.pid)
            if (event == 'stopping' && u.types.containsAll([NsType.PID, NsType.MNT])) {
                v.readings.lsns = ContainerView.nsenter(u.pid, LsnsTable.COMMAND as String[])
                v.readings.selfInFoo = ContainerView.nsenter(u.pid, 'readlink', '/tmp/foo/self')
            }
            views << v
        }
        try {
            result = LabRunner.run(Path.of(System.getProperty('labsh.labs', '.'), 'container-proc.groovy'), new LabOptions(out: System.out, err: System.err))
        } finally {
            listening.close()
        }
    }

    private ContainerView view(String event, String name) { views.find { it.event == event && it.name == name } }

    def "step 1: the propagation the lab printed for / and /proc is findmnt's"() {
        given:
        String findmntRoot = ['findmnt', '-n', '-o', 'PROPAGATION', '/'].execute().text.trim()
        String findmntProc = ['findmnt', '-n', '-o', 'PROPAGATION', '/proc'].execute().text.trim()

        expect:
        result.step('how / and /proc propagate on the host').passed
        result.output.contains("/: mount ${MountInfo.at(MountInfo.of('self'), '/').id()}, optional fields")
        result.output.readLines().find { it.contains('/: mount ') }.endsWith("-> ${findmntRoot}")
        result.output.readLines().find { it.contains('/proc: mount ') }.endsWith("-> ${findmntProc}")
    }

    def "step 2 (ii): new pid and mnt namespaces, a proc of its own at /proc, all mounts private"() {
        given:
        ContainerView v = view('started', 'mnt+pid@/proc')

        expect:
        result.step('(ii) proc mounted at /proc in new pid and mnt namespaces').passed
        v.own() == [NsType.PID, NsType.MNT] as Set
        v.mountAt('/proc').fsType() == 'proc'
        v.mountAt('/proc').majorMinor() != hostProcBefore.majorMinor()
        v.mountinfo.every { it.optionalFields().isEmpty() }   // private: no shared:N, no master:N
    }

    def "step 3 (i): proc at /tmp/foo inside only; /proc inside is still the host's"() {
        given:
        ContainerView v = view('started', 'mnt+pid@/tmp/foo')

        expect:
        result.step('(i) proc mounted at /tmp/foo instead').passed
        v.mountAt('/tmp/foo').fsType() == 'proc'
        v.mountAt('/tmp/foo').majorMinor() != hostProcBefore.majorMinor()
        v.mountAt('/proc').majorMinor() == hostProcBefore.majorMinor()
        (view('stopping', 'mnt+pid@/tmp/foo').readings.selfInFoo as int) < 10   // nsenter's readlink is a small pid there
    }

    def "step 4: lsns inside (ii) lists only its own namespaces; inside (i) it lists the host's too"() {
        given:
        LsnsTable ii = LsnsTable.parse(view('stopping', 'mnt+pid@/proc').readings.lsns)
        LsnsTable i = LsnsTable.parse(view('stopping', 'mnt+pid@/tmp/foo').readings.lsns)
        Set<Long> iiOwn = view('stopping', 'mnt+pid@/proc').namespaces.values() as Set
        long hostPidNs = ContainerView.host()[NsType.PID]

        expect:
        result.step('lsns in each case, and the difference computed').passed
        ii.namespaces().every { it in iiOwn }
        i.row(hostPidNs) != null && ii.row(hostPidNs) == null
        i.rows().size() > ii.rows().size()
    }

    def "step 5 (problem 4): unshare -Ur -u differs in user and uts; -Ur -m -p in user, mnt and pid"() {
        expect:
        result.step('problem 4: a mini lsns, the namespace inodes of a process').passed
        view('started', 'user+uts').own() == [NsType.USER, NsType.UTS] as Set
        view('started', 'mnt+pid+user@/proc').own() == [NsType.USER, NsType.MNT, NsType.PID] as Set
    }

    def "step 6 and after: every process is gone, /proc is the host's mount as before, nothing in the ledger"() {
        expect:
        result.ok
        views.every { !new File("/proc/${it.pid}").exists() }
        MountInfo.at(MountInfo.of('self'), '/proc') == hostProcBefore
        MountInfo.at(MountInfo.of('self'), '/tmp/foo') == null
        Ledger.current().openEntries().isEmpty()
    }
}
