package labsh.kernel

import java.nio.charset.StandardCharsets
import labsh.runtime.Ledger
import spock.lang.Shared
import spock.lang.Specification

/**
 * Message payloads at and over the limit of the labs' message buffer (mtext[256], the bridge's
 * messages), generated with a seed: unicode text whose UTF-8 length lands on both sides of 256,
 * random bytes, mtypes of zero and below, buffers over the kernel's msgmax, and a receive buffer
 * too small for what is queued. Up to the limit a message arrives byte for byte; over it, one
 * clear line and the queue untouched (the kernel's /proc/sysvipc/msg qnum), never a cut message.
 */
class BadInputMessageQueuesSpec extends Specification {
    static final int LIMIT = 256
    static final long SEED = Long.getLong('labsh.fuzz.seed', 20261123L)

    @Shared int key = 0x1ab60000 | new Random().nextInt(0xffff)
    @Shared int qid

    def setupSpec() {
        println "BadInputMessageQueuesSpec seed=${SEED}"
        qid = MessageQueues.get(key, MessageQueues.IPC_CREAT | 0600)
    }

    def cleanupSpec() {
        MessageQueues.remove(qid)
        assert !new File('/proc/sysvipc/msg').readLines().drop(1)*.trim()*.split(/\s+/).any { it[1].toInteger() == qid }: 'the queue is left'
        assert Ledger.current().openEntries().every { it.kind() != 'msg' || it.fields().key != MessageQueues.hex(key) }
    }

    /** qnum of our queue, read from the kernel's table. */
    static long qnum(int id) {
        new File('/proc/sysvipc/msg').readLines().drop(1)*.trim()*.split(/\s+/).find { it[1].toInteger() == id }[4].toLong()
    }

    def "a payload of #size bytes (#what) fits mtext[256] and arrives byte for byte"() {
        when:
        MessageQueues.send(qid, 7, payload, LIMIT)

        then:
        qnum(qid) == 1
        MessageQueues.receiveRaw(qid, 7, LIMIT, true).text() == Arrays.copyOf(payload, LIMIT)
        qnum(qid) == 0

        where:
        [what, payload] << Payloads.generate(SEED, 40).findAll { it[1].length <= LIMIT }
        size = payload.length
    }

    def "a payload of #size bytes (#what) is over mtext[256]: one line, and nothing is queued"() {
        when:
        MessageQueues.send(qid, 7, payload, LIMIT)

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "msgsnd: message of ${size} bytes does not fit mtext[256]; refusing to truncate it"
        qnum(qid) == 0

        where:
        [what, payload] << Payloads.generate(SEED, 40).findAll { it[1].length > LIMIT }
        size = payload.length
    }

    def "mtype #mtype is refused before the kernel sees it (msgsnd(2): mtype must be > 0)"() {
        when:
        MessageQueues.send(qid, mtype, 'x', LIMIT)

        then:
        def e = thrown(IllegalArgumentException)
        e.message == "msgsnd: mtype must be greater than 0, got ${mtype} (msgsnd(2))"
        qnum(qid) == 0

        where:
        mtype << [0L, -1L, Long.MIN_VALUE]
    }

    def "a buffer over the kernel's msgmax fails with the call, its arguments and EINVAL in one line"() {
        given:
        int msgmax = new File('/proc/sys/kernel/msgmax').text.trim().toInteger()

        when:
        MessageQueues.send(qid, 1, 'x', msgmax + 1)

        then:
        def e = thrown(KernelException)
        e.is(Errno.EINVAL)
        e.message.startsWith('msgsnd(')
        e.message.contains('EINVAL')
        !e.message.contains('\n')
        qnum(qid) == 0
    }

    def "a receive buffer smaller than the queued message fails with E2BIG and the message stays queued"() {
        given:
        MessageQueues.send(qid, 3, 'x' * LIMIT, LIMIT)

        when:
        MessageQueues.receiveRaw(qid, 3, LIMIT - 1, true)

        then:
        def e = thrown(KernelException)
        e.is(Errno.E2BIG)
        !e.message.contains('\n')
        qnum(qid) == 1

        cleanup:
        MessageQueues.receiveRaw(qid, 3, LIMIT, true)
    }

    /** Payloads on both sides of the limit: named sizes, unicode text by UTF-8 length, random bytes. */
    static final class Payloads {
        static List<List> generate(long seed, int random) {
            Random r = new Random(seed)
            List<List> all = []
            [0, 1, 255, 256, 257, 258, 512, 4096, 8193, 1 << 20].each { int n ->
                all << ["${n} bytes of 'a'".toString(), ('a' * n).getBytes(StandardCharsets.US_ASCII)]
            }
            all << ['85 check marks and one letter: 256 bytes of UTF-8', ('✓' * 85 + 'a').getBytes(StandardCharsets.UTF_8)]
            all << ['86 check marks: 258 bytes of UTF-8', ('✓' * 86).getBytes(StandardCharsets.UTF_8)]
            all << ['64 emoji: 256 bytes of UTF-8', ('😀' * 64).getBytes(StandardCharsets.UTF_8)]
            all << ['64 emoji and a space: 257 bytes', ('😀' * 64 + ' ').getBytes(StandardCharsets.UTF_8)]
            random.times {
                if (r.nextBoolean()) {
                    byte[] b = new byte[240 + r.nextInt(32)]
                    r.nextBytes(b)
                    for (int i = 0; i < b.length; i++) if (b[i] == 0) b[i] = 1 // a NUL would end the C string early
                    all << ["random bytes".toString(), b]
                } else {
                    StringBuilder sb = new StringBuilder()
                    while (sb.toString().getBytes(StandardCharsets.UTF_8).length < 236 + r.nextInt(40)) {
                        sb.appendCodePoint([0x41 + r.nextInt(26), 0xe9, 0x416, 0x4e2d, 0x1f600 + r.nextInt(40), 0x20][r.nextInt(6)])
                    }
                    all << ["random unicode text".toString(), sb.toString().getBytes(StandardCharsets.UTF_8)]
                }
            }
            all
        }
    }
}
