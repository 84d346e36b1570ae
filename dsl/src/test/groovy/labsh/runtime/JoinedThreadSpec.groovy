package labsh.runtime

import java.nio.file.Files
import java.nio.file.Path
import labsh.kernel.KernelException
import labsh.kernel.MessageQueues
import labsh.kernel.Namespaces
import labsh.kernel.NsType
import spock.lang.Requires
import spock.lang.Specification

// Joining another process's namespaces needs CAP_SYS_ADMIN (setns(2)), and the target is made by unshare(1) as root.
@Requires({ labsh.kernel.Privilege.isRoot() })
class JoinedThreadSpec extends Specification {
    static final List<NsType> JOINABLE = [NsType.IPC, NsType.UTS, NsType.NET, NsType.MNT]

    Process target
    Path dir
    JoinedThread joined
    Integer qid

    def setup() {
        // under target/, never /mnt: the test leaves nothing outside the build directory
        dir = Files.createTempDirectory(Path.of('target').toAbsolutePath(), 'joined-')
        Files.createDirectory(dir.resolve('x'))
        // unshare --mount makes the new mount namespace's mounts private, so the tmpfs stays inside it;
        // --kill-child takes the sleeping child down when the test kills unshare.
        target = new ProcessBuilder('unshare', '--mount', '--ipc', '--uts', '--net', '--kill-child', 'sh', '-c',
                "mount -t tmpfs none '${dir}/x' && touch '${dir}/x/f' && echo ready && exec sleep 1000".toString())
                .redirectErrorStream(true).start()
        assert target.inputStream.newReader().readLine() == 'ready'
    }

    def cleanup() {
        if (qid != null && joined != null) joined.run { MessageQueues.remove(qid) }
        joined?.close()
        target?.destroyForcibly()
        target?.waitFor()
        if (dir != null) Removers.remove('dir', [path: dir.toString()])
    }

    int pid() { target.pid() as int }

    def "the joined thread's /proc/thread-self/ns are the target's, while the other threads stay on the host"() {
        given:
        def host = Namespaces.of(ProcessHandle.current().pid() as int)
        def theirs = Namespaces.of(pid())

        when:
        joined = JoinedThread.join('test-joined', pid(), NsType.IPC, NsType.UTS, NsType.NET, NsType.MNT)
        def inside = joined.call { JOINABLE.collectEntries { [it, Namespaces.ofThisThread(it)] } }
        def viaTask = JOINABLE.collectEntries { [it, inode("/proc/${ProcessHandle.current().pid()}/task/${joined.tid()}/ns/${it.procName()}")] }

        then: 'the target really is elsewhere'
        JOINABLE.every { theirs[it] != host[it] }

        and: 'the joined thread sees the target namespaces, and so does the kernel from outside (/proc/PID/task/TID)'
        inside == JOINABLE.collectEntries { [it, theirs[it]] }
        viaTask == inside

        and: 'this thread and a fresh host thread did not move'
        JOINABLE.every { Namespaces.ofThisThread(it) == host[it] }
        def other = null
        def t = Thread.start { other = JOINABLE.collectEntries { [it, Namespaces.ofThisThread(it)] } }
        t.join()
        other == JOINABLE.collectEntries { [it, host[it]] }
    }

    def "a queue made on the joined thread is in the target's IPC namespace, not the host's"() {
        given:
        int key = 0x1ab60000 | new Random().nextInt(0xffff)
        joined = JoinedThread.join('test-ipc', pid(), NsType.IPC)

        when:
        qid = joined.call { MessageQueues.get(key, MessageQueues.IPC_CREAT | 0600) }
        def insideTable = ['nsenter', '-t', "${pid()}", '-i', 'cat', '/proc/sysvipc/msg'].execute().text
        def hostTable = new File('/proc/sysvipc/msg').text

        then: 'nsenter into the target lists it (key in decimal, then msqid)'
        rows(insideTable).any { it[0] as int == key && it[1] as int == qid }

        and: 'the host does not'
        !rows(hostTable).any { it[0] as int == key }

        when: 'a message sent on the joined thread is read back by nsenter -i ipcs'
        joined.run { MessageQueues.send(qid, 1, 'hi', 16) }

        then:
        rows(['nsenter', '-t', "${pid()}", '-i', 'cat', '/proc/sysvipc/msg'].execute().text)
                .find { it[1] as int == qid }[4] == '1'
    }

    def "a file mounted only in the target's mount namespace is readable on the joined thread, not on the others"() {
        given:
        def f = dir.resolve('x/f')

        when:
        joined = JoinedThread.join('test-mnt', pid(), NsType.MNT)

        then:
        joined.call { Files.exists(f) }
        !Files.exists(f)
        def otherSees = null
        Thread.start { otherSees = Files.exists(f) }.join()
        otherSees == false
        joined.call { Files.readAllLines(Path.of('/proc/thread-self/mountinfo')).any { it.contains("${dir}/x".toString()) } }
        !Files.readAllLines(Path.of('/proc/thread-self/mountinfo')).any { it.contains("${dir}/x".toString()) }
    }

    def "an exception on the joined thread reaches the caller as is"() {
        given:
        joined = JoinedThread.join('test-errors', pid(), NsType.IPC)

        when:
        joined.run { MessageQueues.remove(-1) }

        then:
        def e = thrown(KernelException)
        e.message.startsWith('msgctl(-1, IPC_RMID, NULL) failed: EINVAL')

        and: 'the thread lives on'
        joined.call { 42 } == 42
    }

    def "joining a pid that is gone fails with one line naming it, and close() ends the thread"() {
        when:
        JoinedThread.join('test-gone', 999_999_999, NsType.IPC)

        then:
        def e = thrown(Namespaces.NoSuchProcessException)
        e.message == 'no process with pid 999999999 (nothing at /proc/999999999)'

        when:
        joined = JoinedThread.join('test-close', pid(), NsType.UTS)
        joined.close()

        then:
        !joined.isAlive()

        when:
        joined.call { 1 }

        then:
        thrown(IllegalStateException)
    }

    /** The inode in a /proc/.../ns link ("ipc:[4026531839]"), read as the kernel shows it. */
    static long inode(String link) {
        def s = Files.readSymbolicLink(Path.of(link)).toString()
        s.substring(s.indexOf('[') + 1, s.indexOf(']')) as long
    }

    static List<String[]> rows(String table) {
        table.readLines().drop(1)*.trim().findAll { it }*.split(/\s+/)
    }
}
