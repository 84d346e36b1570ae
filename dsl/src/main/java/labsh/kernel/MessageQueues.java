package labsh.kernel;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import labsh.runtime.Ledger;

/**
 * System V message queues (msgget(2), msgsnd(2), msgrcv(2), msgctl(2), see sysvipc(7)).
 *
 * <p>A message is the C struct {@code struct { long mtype; char mtext[N]; }}: a native {@code long}
 * (8 bytes on 64-bit Linux) followed by N bytes, and the size passed to the kernel counts mtext
 * only. labsh sends the whole N-byte buffer, NUL-padded, as a C program does with
 * {@code msgsnd(id, &msg, sizeof(msg.mtext), 0)}, so C and labsh peers read each other.
 *
 * <p>Queues live in the IPC namespace of the <em>calling thread</em>: called on a thread that has
 * joined another process's IPC namespace (runtime.JoinedThread), they reach that namespace's queues.
 * Every queue this class creates is recorded in the {@link Ledger} (kind {@code msg}) before it
 * exists, with its key and the inode of the IPC namespace it is made in.
 */
public final class MessageQueues {
    public static final int IPC_PRIVATE = 0;
    public static final int IPC_CREAT = 01000;
    public static final int IPC_EXCL = 02000;
    public static final int IPC_NOWAIT = 04000;
    public static final int MSG_NOERROR = 010000;
    static final int IPC_RMID = 0;
    static final int IPC_STAT = 2;

    /** Offset of msg_qnum in struct msqid_ds on LP64 glibc (x86_64 and aarch64; measured with offsetof). */
    private static final int MSQID_DS_QNUM = 80;
    private static final int MSQID_DS_SIZE = 120;

    private static final long[] FLAG_BITS = {IPC_CREAT, IPC_EXCL, IPC_NOWAIT, MSG_NOERROR};
    private static final String[] FLAG_NAMES = {"IPC_CREAT", "IPC_EXCL", "IPC_NOWAIT", "MSG_NOERROR"};

    /** Ledger entries of the queues created here, by "ipcns:msqid" (ids are per IPC namespace). */
    private static final Map<String, Ledger.Entry> CREATED = new ConcurrentHashMap<>();

    private MessageQueues() {}

    /** One received message; {@code text} is the bytes the caller asked for (see receive/receiveRaw). */
    public record Message(long mtype, byte[] text) {
        /** The text as UTF-8. */
        public String string() { return new String(text, StandardCharsets.UTF_8); }

        @Override
        public String toString() { return "Message[mtype=" + mtype + ", text=" + string() + "]"; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Message m && m.mtype == mtype && Arrays.equals(m.text, text);
        }

        @Override
        public int hashCode() { return Long.hashCode(mtype) * 31 + Arrays.hashCode(text); }
    }

    /**
     * msgget(key, flags): the id of the queue with {@code key} in this thread's IPC namespace.
     * {@code flags} are IPC_CREAT, IPC_EXCL and the permission bits ({@code IPC_CREAT | 0666}).
     *
     * <p>With IPC_CREAT the ledger entry is written first. So that labsh never records (and later
     * removes) a queue someone else made, creation is tried with IPC_EXCL; if the queue already
     * exists (EEXIST) and the caller did not ask for IPC_EXCL, the existing queue is opened
     * without IPC_CREAT and the entry is dropped: that queue is not labsh's to remove.
     */
    public static int get(int key, int flags) {
        if ((flags & IPC_CREAT) == 0) return msgget(key, flags);
        long ipcns = Namespaces.ofThisThread(NsType.IPC);
        Ledger.Entry e = Ledger.current().intend("msg", "key", hex(key), "ipcns", String.valueOf(ipcns));
        int id;
        try {
            id = msgget(key, flags | IPC_EXCL);
        } catch (KernelException ex) {
            e.removed();
            if (ex.is(Errno.EEXIST) && (flags & IPC_EXCL) == 0 && key != IPC_PRIVATE) {
                return msgget(key, flags & ~IPC_CREAT);
            }
            throw ex;
        }
        e.created("id", String.valueOf(id));
        CREATED.put(ipcns + ":" + id, e);
        return id;
    }

    private static int msgget(int key, int flags) {
        return Syscall.call("msgget", keyName(key) + ", " + flagNames(flags), () -> Libc.msgget(key, flags));
    }

    /**
     * msgsnd(qid, {mtype, text NUL-padded to mtextSize}, mtextSize, 0). Blocks while the queue is
     * full. Refuses text longer than mtextSize rather than cutting it; text of exactly mtextSize
     * bytes fills the buffer and so carries no terminating NUL (a C reader must not strlen it).
     */
    public static void send(int qid, long mtype, byte[] text, int mtextSize) {
        if (mtype <= 0) {
            throw new IllegalArgumentException("msgsnd: mtype must be greater than 0, got " + mtype + " (msgsnd(2))");
        }
        if (text.length > mtextSize) {
            throw new IllegalArgumentException("msgsnd: message of " + text.length
                    + " bytes does not fit mtext[" + mtextSize + "]; refusing to truncate it");
        }
        Memory buf = buffer(mtextSize);
        putLong(buf, mtype);
        buf.write(Native.LONG_SIZE, text, 0, text.length);
        Syscall.call("msgsnd", () -> qid + ", {mtype=" + mtype + ", mtext=" + preview(text) + "}, " + mtextSize + ", 0",
                () -> Libc.msgsnd(qid, buf, mtextSize, 0));
    }

    /** send() of a UTF-8 string. */
    public static void send(int qid, long mtype, String text, int mtextSize) {
        send(qid, mtype, text.getBytes(StandardCharsets.UTF_8), mtextSize);
    }

    /**
     * msgrcv(qid, buf, mtextSize, mtype, noWait ? IPC_NOWAIT : 0), the text cut at its first NUL
     * as a C string reader sees it. mtype 0 takes the first message of any type, a positive mtype
     * the first of that type, a negative one the first of the lowest type up to |mtype| (msgrcv(2)).
     * Blocks until a message arrives unless {@code noWait}; then returns null when the queue holds
     * none (ENOMSG). A blocked receive ends with EIDRM when the queue is removed. A message longer
     * than mtextSize fails with E2BIG (MSG_NOERROR is never set: nothing is silently truncated).
     */
    public static Message receive(int qid, long mtype, int mtextSize, boolean noWait) {
        Message raw = receiveRaw(qid, mtype, mtextSize, noWait);
        if (raw == null) return null;
        byte[] t = raw.text();
        int end = 0;
        while (end < t.length && t[end] != 0) end++;
        return new Message(raw.mtype(), Arrays.copyOf(t, end));
    }

    /** Like {@link #receive} but {@code text} is every byte the kernel returned, padding included. */
    public static Message receiveRaw(int qid, long mtype, int mtextSize, boolean noWait) {
        Memory buf = buffer(mtextSize);
        int flags = noWait ? IPC_NOWAIT : 0;
        long n;
        try {
            n = Syscall.callLong("msgrcv", () -> qid + ", buf, " + mtextSize + ", " + mtype + ", " + flagNames(flags),
                    () -> Libc.msgrcv(qid, buf, mtextSize, mtype, flags));
        } catch (KernelException e) {
            if (noWait && e.is(Errno.ENOMSG)) return null;
            throw e;
        }
        return new Message(getLong(buf), buf.getByteArray(Native.LONG_SIZE, (int) n));
    }

    /** msgctl(qid, IPC_STAT): the number of messages in the queue (msg_qnum). */
    public static long qnum(int qid) {
        Memory ds = new Memory(MSQID_DS_SIZE + 8);
        ds.clear();
        Syscall.call("msgctl", qid + ", IPC_STAT, buf", () -> Libc.msgctl(qid, IPC_STAT, ds));
        return ds.getLong(MSQID_DS_QNUM);
    }

    /** msgctl(qid, IPC_RMID): removes the queue now, waking blocked senders and receivers (EIDRM). */
    public static void remove(int qid) {
        Syscall.call("msgctl", qid + ", IPC_RMID, NULL", () -> Libc.msgctl(qid, IPC_RMID, null));
        Ledger.Entry e = CREATED.remove(Namespaces.ofThisThread(NsType.IPC) + ":" + qid);
        if (e != null) e.removed();
    }

    /**
     * The ledger's remover for kind {@code msg}: removes the queue only when the calling thread is
     * in the recorded IPC namespace and /proc/sysvipc/msg (which shows that namespace) still lists
     * the recorded id with the recorded key. A queue in another namespace cannot be reached from
     * here: that is reported, so the entry stays for a later `labsh clean` run from a joined thread.
     */
    public static void removeRecorded(Map<String, String> f) {
        String id = f.get("id");
        if (id == null) return; // intended, never created
        long ns = Long.parseLong(f.get("ipcns"));
        long here = Namespaces.ofThisThread(NsType.IPC);
        if (here != ns) {
            if (!namespaceAlive(NsType.IPC, ns)) return; // the namespace is gone, and its queues with it
            throw new IllegalStateException("message queue " + id + " is in IPC namespace " + ns
                    + ", not in this thread's " + here);
        }
        int qid = Integer.parseInt(id);
        int key = (int) Long.parseLong(f.get("key").substring(2), 16);
        if (!listed(qid, key)) return; // already gone, or the id now names someone else's queue
        try {
            Syscall.call("msgctl", qid + ", IPC_RMID, NULL", () -> Libc.msgctl(qid, IPC_RMID, null));
        } catch (KernelException e) {
            if (!e.is(Errno.EINVAL) && !e.is(Errno.EIDRM)) throw e; // EINVAL: removed meanwhile
        }
    }

    /** True when /proc/sysvipc/msg (this thread's IPC namespace) lists a queue {@code qid} with {@code key}. */
    public static boolean listed(int qid, int key) {
        return SysvIpcTable.messageQueues().stream().anyMatch(r -> r.id() == qid && r.key() == key);
    }

    /** Whether some process still holds namespace {@code inode} (checked from /proc/PID/ns links). */
    private static boolean namespaceAlive(NsType type, long inode) {
        String want = type.procName() + ":[" + inode + "]";
        try (var dirs = Files.list(Path.of("/proc"))) {
            return dirs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .anyMatch(p -> {
                        try {
                            return Files.readSymbolicLink(p.resolve("ns").resolve(type.procName())).toString().equals(want);
                        } catch (IOException | RuntimeException e) {
                            return false;
                        }
                    });
        } catch (IOException e) {
            return true; // cannot tell: keep the entry rather than forget a live queue
        }
    }

    public static String hex(int key) {
        return String.format("0x%08x", key);
    }

    static String keyName(int key) {
        return key == IPC_PRIVATE ? "IPC_PRIVATE" : hex(key);
    }

    /** IPC_CREAT|IPC_EXCL|0666: the named flag bits, then the permission bits in octal. */
    public static String flagNames(int flags) {
        int perms = flags & 0777;
        int named = flags & ~0777;
        StringBuilder sb = new StringBuilder();
        if (named != 0) sb.append(Syscall.flags(named, FLAG_BITS, FLAG_NAMES));
        if (perms != 0 || sb.length() == 0) {
            if (sb.length() > 0) sb.append('|');
            sb.append(perms == 0 ? "0" : "0" + Integer.toOctalString(perms));
        }
        return sb.toString();
    }

    private static String preview(byte[] text) {
        String s = new String(text, StandardCharsets.UTF_8);
        if (s.length() > 32) s = s.substring(0, 32) + "...";
        return '"' + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + '"';
    }

    /**
     * This thread's message buffer, zeroed, at least {@code long + mtextSize} bytes. Reused: a relay
     * sends and receives per message, and a fresh native buffer each time (malloc, a Cleaner, a
     * free on the cleaner thread) cost more than the system call.
     */
    private static Memory buffer(int mtextSize) {
        long size = Native.LONG_SIZE + Math.max(mtextSize, 1);
        Memory m = BUFFERS.get();
        if (m == null || m.size() < size) {
            m = new Memory(size);
            BUFFERS.set(m);
        }
        m.clear(size);
        return m;
    }

    private static final ThreadLocal<Memory> BUFFERS = new ThreadLocal<>();

    private static void putLong(Memory buf, long v) {
        if (Native.LONG_SIZE == 8) buf.setLong(0, v); else buf.setInt(0, (int) v);
    }

    private static long getLong(Memory buf) {
        return Native.LONG_SIZE == 8 ? buf.getLong(0) : buf.getInt(0);
    }
}
