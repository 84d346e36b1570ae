package labsh.kernel

import java.nio.charset.StandardCharsets
import labsh.runtime.Ledger
import spock.lang.Specification

class MessageQueuesSpec extends Specification {
    static final int SIZE = 64
    int key = 0x1ab50000 | new Random().nextInt(0xffff)
    Integer qid

    def cleanup() {
        if (qid != null && MessageQueues.listed(qid, key)) MessageQueues.remove(qid)
    }

    /** The kernel's own row for a queue: /proc/sysvipc/msg columns key (decimal), msqid, qnum. */
    static Map row(int qid) {
        def line = new File('/proc/sysvipc/msg').readLines().drop(1)*.trim()*.split(/\s+/).find { it[1] as int == qid }
        line == null ? null : [key: line[0] as int, msqid: line[1] as int, qnum: line[4] as long]
    }

    def "msgget with IPC_CREAT makes a queue the kernel lists under its key, recorded in the ledger first"() {
        given:
        def calls = []
        def listener = Trace.listen { calls << it.toString() }

        when:
        qid = MessageQueues.get(key, MessageQueues.IPC_CREAT | 0666)

        then: 'the kernel lists it with our key and no messages'
        row(qid) == [key: key, msqid: qid, qnum: 0L]

        and: 'the trace names the flags and the key in hex'
        calls.any { it == "msgget(${MessageQueues.hex(key)}, IPC_CREAT|IPC_EXCL|0666) = $qid".toString() }

        and: 'the ledger holds it with its key, id and IPC namespace'
        Ledger.current().openEntries().any {
            it.kind() == 'msg' && it.fields() == [key: MessageQueues.hex(key), id: "$qid".toString(),
                                                  ipcns: "${Namespaces.ofThisThread(NsType.IPC)}".toString()]
        }

        when: 'a second get with IPC_CREAT opens the same queue and records nothing new'
        int n = Ledger.current().openEntries().size()
        int again = MessageQueues.get(key, MessageQueues.IPC_CREAT | 0666)

        then:
        again == qid
        Ledger.current().openEntries().size() == n

        when:
        MessageQueues.remove(qid)

        then: 'the kernel no longer lists it and the ledger entry is closed'
        row(qid) == null
        !Ledger.current().openEntries().any { it.kind() == 'msg' && it.fields().id == "$qid".toString() }

        cleanup:
        listener?.close()
    }

    def "messages round-trip as C strings: empty, ASCII and non-ASCII UTF-8"() {
        given:
        qid = MessageQueues.get(key, MessageQueues.IPC_CREAT | 0600)

        when:
        MessageQueues.send(qid, 1, text, SIZE)

        then: 'the kernel counts one message of the whole mtext buffer'
        row(qid).qnum == 1
        MessageQueues.qnum(qid) == 1

        when:
        def m = MessageQueues.receive(qid, 0, SIZE, false)

        then:
        m.mtype() == 1
        m.string() == text
        m.text() == text.getBytes(StandardCharsets.UTF_8)
        row(qid).qnum == 0

        where:
        text << ['', 'hello from the client', 'héllo 世界 ✓']
    }

    def "the raw receive returns the NUL-padded buffer a C sender's sizeof(msg.mtext) sends"() {
        given:
        qid = MessageQueues.get(key, MessageQueues.IPC_CREAT | 0600)
        MessageQueues.send(qid, 3, 'abc', 8)

        when:
        def m = MessageQueues.receiveRaw(qid, 0, 8, false)

        then:
        m.mtype() == 3
        m.text() == [97, 98, 99, 0, 0, 0, 0, 0] as byte[]
    }

    def "a receive by mtype takes only messages of that type; noWait on an empty pick returns null"() {
        given:
        qid = MessageQueues.get(key, MessageQueues.IPC_CREAT | 0600)
        MessageQueues.send(qid, 1, 'one', SIZE)
        MessageQueues.send(qid, 2, 'two', SIZE)
        MessageQueues.send(qid, 1, 'one again', SIZE)

        expect:
        MessageQueues.receive(qid, 2, SIZE, true) == new MessageQueues.Message(2, 'two'.bytes)
        MessageQueues.receive(qid, 2, SIZE, true) == null
        row(qid).qnum == 2
        MessageQueues.receive(qid, 0, SIZE, true).string() == 'one'
        MessageQueues.receive(qid, 1, SIZE, true).string() == 'one again'
        row(qid).qnum == 0
    }

    def "text longer than mtext is refused, never truncated, and nothing reaches the queue"() {
        given:
        qid = MessageQueues.get(key, MessageQueues.IPC_CREAT | 0600)

        when:
        MessageQueues.send(qid, 1, 'x' * 9, 8)

        then:
        def e = thrown(IllegalArgumentException)
        e.message == 'msgsnd: message of 9 bytes does not fit mtext[8]; refusing to truncate it'
        row(qid).qnum == 0
    }

    def "a message bigger than the receive buffer fails with E2BIG and stays in the queue"() {
        given:
        qid = MessageQueues.get(key, MessageQueues.IPC_CREAT | 0600)
        MessageQueues.send(qid, 1, 'twelve bytes', 16)

        when:
        MessageQueues.receive(qid, 0, 8, true)

        then:
        def e = thrown(KernelException)
        e.errno() == Errno.E2BIG
        e.message.startsWith("msgrcv($qid, buf, 8, 0, IPC_NOWAIT) failed: E2BIG")
        row(qid).qnum == 1
    }

    def "the ledger's remover removes a recorded queue only while the kernel lists that id with that key"() {
        given:
        qid = MessageQueues.get(key, MessageQueues.IPC_CREAT | 0600)
        def ns = "${Namespaces.ofThisThread(NsType.IPC)}".toString()

        when: 'the record names another key: the id may have been reused by someone else'
        labsh.runtime.Removers.remove('msg', [key: MessageQueues.hex(key + 1), ipcns: ns, id: "$qid".toString()])

        then:
        row(qid) != null

        when:
        labsh.runtime.Removers.remove('msg', [key: MessageQueues.hex(key), ipcns: ns, id: "$qid".toString()])

        then:
        row(qid) == null

        when: 'removing again is a no-op'
        labsh.runtime.Removers.remove('msg', [key: MessageQueues.hex(key), ipcns: ns, id: "$qid".toString()])

        then:
        noExceptionThrown()
    }
}
