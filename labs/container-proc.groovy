// Seed 004, problem 1A: a process in new PID and mount namespaces that mounts a proc for its own
// PID namespace, at /proc (case ii) or at /tmp/foo (case i), without changing the /proc that the
// host's processes see; how the propagation of / and /proc was found; what lsns shows in each
// case and why, computed from its two outputs. Problem 4 (a mini lsns: a process's namespace
// inodes read with readlink(2)) closes the lab.
import labsh.kernel.MountInfo
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import labsh.runtime.container.LsnsTable

lab 'seed 004 problem 1A: a new PID namespace and its /proc (and problem 4: a mini lsns)'

int hostPid = (int) ProcessHandle.current().pid()   // labsh itself runs on the host
MountInfo hostRoot, hostProc
Unshared atProc, atFoo, userUts, userMntPid
LsnsTable inProc, inFoo

step('how / and /proc propagate on the host') {
    say 'In /proc/self/mountinfo the fields between the mount options and " - " are the optional'
    say 'fields (proc(5)): shared:N = in peer group N, master:N = a slave of group N, none = private.'
    say 'findmnt -o PROPAGATION reads the same fields.'
    List<MountInfo> host = MountInfo.of('self')
    hostRoot = MountInfo.at(host, '/')
    hostProc = MountInfo.at(host, '/proc')
    [hostRoot, hostProc].each { MountInfo m ->
        say "${m.mountPoint()}: mount ${m.id()}, optional fields [${m.optionalFields().join(' ')}] -> ${m.propagation()}"
    }
    sh 'findmnt -o TARGET,FSTYPE,PROPAGATION /; findmnt -n -o TARGET,FSTYPE,PROPAGATION /proc'
    check('labsh reads the propagation of / as findmnt does') { hostRoot.propagation() == sh(quiet: true, 'findmnt -n -o PROPAGATION /') }
    check('labsh reads the propagation of /proc as findmnt does') { hostProc.propagation() == sh(quiet: true, 'findmnt -n -o PROPAGATION /proc') }
    if (hostRoot.peerGroup() != 0) {
        say "/ is shared (peer group ${hostRoot.peerGroup()}): a new mount namespace starts with a copy in the same"
        say 'peer group, so a mount made in it would appear on the host. It must make / private first.'
    } else {
        say '/ is private on this host: mount events do not propagate anyway. On a systemd host / is'
        say 'shared, so the new namespace makes every mount private first (MS_REC|MS_PRIVATE) regardless.'
    }
}

step('(ii) proc mounted at /proc in new pid and mnt namespaces') {
    say 'nsinit: clone(CLONE_NEWPID|CLONE_NEWNS), mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL),'
    say 'then mount("proc", "/proc", "proc", ...): the proc of the pid namespace of its first process.'
    atProc = unshare namespaces: ['pid', 'mnt'], proc: '/proc'
    List<MountInfo> inside = atProc.mountinfo()
    MountInfo proc = MountInfo.at(inside, '/proc')
    say "inside: / ${MountInfo.at(inside, '/').propagation()}; /proc is device ${proc.majorMinor()} (the host's: ${hostProc.majorMinor()})"
    check('its own namespaces are pid and mnt (/proc/PID/ns)') { atProc.ownNamespaces() == [NsType.PID, NsType.MNT] as Set }
    check('inside, every mount is private') { inside.every { MountInfo m -> m.propagation() == 'private' } }
    check('inside, /proc is a new proc (another device than the host\'s)') { proc.fsType() == 'proc' && proc.majorMinor() != hostProc.majorMinor() }
    check('inside, /proc/1 is its init and in its pid namespace') {
        atProc.exec('cat /proc/1/comm; readlink /proc/1/ns/pid') == "nsinit\npid:[${atProc.namespaces()[NsType.PID]}]"
    }
    check('the host\'s /proc is the same mount as before') { MountInfo.at(MountInfo.of('self'), '/proc') == hostProc }
    check('the host\'s /proc still shows the host\'s pid namespace (/proc/self is labsh\'s own pid)') {
        new File('/proc/self').canonicalFile.name == "${hostPid}" && Namespaces.of(hostPid)[NsType.PID] != atProc.namespaces()[NsType.PID]
    }
}

step('(i) proc mounted at /tmp/foo instead') {
    say 'The same, but proc goes to /tmp/foo and /proc stays the copy of the host\'s.'
    atFoo = unshare namespaces: ['pid', 'mnt'], proc: '/tmp/foo'
    List<MountInfo> inside = atFoo.mountinfo()
    MountInfo foo = MountInfo.at(inside, '/tmp/foo'), proc = MountInfo.at(inside, '/proc')
    say "inside: /tmp/foo is device ${foo.majorMinor()}, /proc is device ${proc.majorMinor()} (the host's: ${hostProc.majorMinor()})"
    check('inside, /tmp/foo is a new proc') { foo.fsType() == 'proc' && foo.majorMinor() != hostProc.majorMinor() }
    check('inside, /proc is still the host\'s proc') { proc.majorMinor() == hostProc.majorMinor() }
    check('/tmp/foo/1 is its init, in its pid namespace') { atFoo.exec('readlink /tmp/foo/1/ns/pid') == "pid:[${atFoo.namespaces()[NsType.PID]}]" }
    List<String> self = atFoo.exec('readlink /tmp/foo/self; readlink /proc/self').readLines()
    say "one process, two procs: it is pid ${self[0]} in /tmp/foo and pid ${self[1]} in /proc (the host's numbering)"
    check('/proc numbers processes as the host does, /tmp/foo as the new namespace does') {
        (self[0] as int) < 10 && (self[1] as int) != (self[0] as int)
    }
    check('the host sees no mount at /tmp/foo') { MountInfo.at(MountInfo.of('self'), '/tmp/foo') == null }
}

step('lsns in each case, and the difference computed') {
    inProc = atProc.lsns()
    inFoo = atFoo.lsns()
    say "lsns in (ii), proc at /proc: ${inProc.rows().size()} namespaces"
    say inProc.toString()
    say "lsns in (i), proc at /tmp/foo: ${inFoo.rows().size()} namespaces"
    say inFoo.toString()
    List<LsnsTable.Row> onlyInFoo = inFoo.notIn(inProc)
    Map<Long, String> seenOtherwise = inProc.changedIn(inFoo)
    say "computed: (i) lists ${onlyInFoo.size()} namespaces that (ii) does not; the first of them:"
    onlyInFoo.take(6).each { LsnsTable.Row r -> say "  ${r}" }
    say "computed: ${seenOtherwise.size()} namespaces are in both, but counted from other processes:"
    seenOtherwise.values().each { String d -> say "  ${d}" }
    LsnsTable host = LsnsTable.parse(sh(quiet: true, LsnsTable.COMMAND.join(' ')))
    int common = (inFoo.namespaces().intersect(host.namespaces()) as Set).size()
    say "computed: ${common} of the ${inFoo.rows().size()} namespaces of (i) are also in lsns run on the host now (${host.rows().size()})."
    say 'Why: lsns(8) finds namespaces by walking /proc/[0-9]*/ns. In (ii) that is the new pid namespace\'s'
    say 'proc, which holds only its own processes; in (i) /proc is still the host\'s, so lsns lists every'
    say 'namespace on the machine, as on the host. It never looks at /tmp/foo.'
    Set<Long> itsOwn = atProc.namespaces().values() as Set
    check('(ii) lists only namespaces its own processes are in') { inProc.namespaces().every { it in itsOwn } }
    check('(ii) lists its new pid and mnt namespaces, both with its init as PID 1') {
        [NsType.PID, NsType.MNT].every { NsType t -> inProc.row(atProc.namespaces()[t])?.pid() == 1 }
    }
    check('(i) lists the host\'s pid namespace; (ii) does not') {
        long hostPidNs = Namespaces.of(hostPid)[NsType.PID]
        inFoo.row(hostPidNs) != null && inProc.row(hostPidNs) == null
    }
    check('(i) lists more namespaces than (ii)') { inFoo.rows().size() > inProc.rows().size() }
}

step('problem 4: a mini lsns, the namespace inodes of a process') {
    say 'readlink /proc/PID/ns/TYPE gives "TYPE:[INODE]"; two processes share a namespace when the'
    say 'inodes are equal (namespaces(7)). `labsh lsns PID` prints them like lsns -p PID.'
    userUts = unshare namespaces: ['user', 'uts']            // unshare -Ur -u
    userMntPid = unshare namespaces: ['user', 'mnt', 'pid']  // unshare -Ur -m -p --mount-proc -f
    Map<NsType, Long> host = Namespaces.of(hostPid)
    say String.format('%-7s %12s %12s %12s', 'TYPE', 'labsh', "pid ${userUts.pid}", "pid ${userMntPid.pid}")
    host.each { NsType t, Long ns ->
        say String.format('%-7s %12d %12d %12d', t.procName(), ns, userUts.namespaces()[t], userMntPid.namespaces()[t])
    }
    say "computed: pid ${userUts.pid} differs in ${userUts.ownNamespaces()*.procName().sort().join(', ')}; " +
        "pid ${userMntPid.pid} in ${userMntPid.ownNamespaces()*.procName().sort().join(', ')}"
    check('unshare -Ur -u: only user and uts differ') { userUts.ownNamespaces() == [NsType.USER, NsType.UTS] as Set }
    check('unshare -Ur -m -p -f: only user, mnt and pid differ') { userMntPid.ownNamespaces() == [NsType.USER, NsType.MNT, NsType.PID] as Set }
    check('inside the new pid namespace the same process is PID 1 (/proc/1/ns there is its own)') {
        userMntPid.exec('readlink /proc/1/ns/pid') == "pid:[${userMntPid.namespaces()[NsType.PID]}]"
    }
}

step('stop them all: nothing is left') {
    List<Unshared> all = [atProc, atFoo, userUts, userMntPid]
    List<Integer> pids = all*.pid
    all.each { it.stop() }
    check('their processes are gone (/proc/PID)') { pids.every { !new File("/proc/${it}").exists() } }
    check('the host\'s /proc is the mount it was at the start') { MountInfo.at(MountInfo.of('self'), '/proc') == hostProc }
}
