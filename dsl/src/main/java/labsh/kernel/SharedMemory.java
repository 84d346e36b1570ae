package labsh.kernel;

import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import labsh.runtime.Ledger;

/**
 * SysV shared memory: ftok(3), shmget(2), shmat(2), shmdt(2), shmctl(2). Segments live in the IPC
 * namespace of the thread that calls shmget, which is exactly what the ex5 client uses to tell a
 * container from the host. A segment created here is recorded in the {@link Ledger} (kind
 * {@code shm}) before shmget, and removed by its creator or by the ledger's unwind.
 */
public final class SharedMemory {
    public static final int IPC_CREAT = 01000, IPC_EXCL = 02000, IPC_RMID = 0, SHM_RDONLY = 010000;

    private static final long[] FLAG_BITS = {IPC_CREAT, IPC_EXCL};
    private static final String[] FLAG_NAMES = {"IPC_CREAT", "IPC_EXCL"};
    private static final Map<String, Ledger.Entry> CREATED = new ConcurrentHashMap<>();

    private SharedMemory() {}

    /** ftok(path, projId): the key made from the file's inode and device and projId's low 8 bits. */
    public static int ftok(String path, int projId) {
        if (!Files.exists(Path.of(path))) {
            // ftok's own errno would be ENOENT too; say which path
            throw new KernelException("ftok(" + Syscall.quote(path) + ", " + projId + ")", Errno.ENOENT);
        }
        return Syscall.call("ftok", Syscall.quote(path) + ", " + projId, () -> Libc.ftok(path, projId));
    }

    /**
     * shmget(key, size, flags). With IPC_CREAT the ledger entry is written first and creation is
     * tried with IPC_EXCL, so that labsh never records (and later removes) someone else's segment.
     */
    public static int get(int key, long size, int flags) {
        if ((flags & IPC_CREAT) == 0) return shmget(key, size, flags);
        long ipcns = Namespaces.ofThisThread(NsType.IPC);
        Ledger.Entry e = Ledger.current().intend("shm", "key", hex(key), "ipcns", String.valueOf(ipcns));
        int id;
        try {
            id = shmget(key, size, flags | IPC_EXCL);
        } catch (KernelException ex) {
            e.removed();
            throw ex;
        }
        e.created("id", String.valueOf(id));
        CREATED.put(ipcns + ":" + id, e);
        return id;
    }

    private static int shmget(int key, long size, int flags) {
        String f = (flags & ~0777) == 0 ? "" : Syscall.flags(flags & ~0777, FLAG_BITS, FLAG_NAMES) + "|";
        String mode = (flags & 0777) == 0 ? (f.isEmpty() ? "0" : "") : "0" + Integer.toOctalString(flags & 0777);
        return Syscall.call("shmget", hex(key) + ", " + size + ", " + (mode.isEmpty() ? f.substring(0, f.length() - 1) : f + mode),
                () -> Libc.shmget(key, size, flags));
    }

    /** The id of the segment with {@code key} in this thread's IPC namespace, or -1 (ENOENT): never creates. */
    public static int find(int key) {
        try {
            return shmget(key, 0, 0);
        } catch (KernelException e) {
            if (e.is(Errno.ENOENT)) return -1;
            throw e;
        }
    }

    /** shmat(id, NULL, readOnly ? SHM_RDONLY : 0). */
    public static Segment attach(int shmid, long size, boolean readOnly) {
        int flg = readOnly ? SHM_RDONLY : 0;
        Pointer p = Syscall.callPointer("shmat", shmid + ", NULL, " + (readOnly ? "SHM_RDONLY" : "0"), () -> Libc.shmat(shmid, null, flg));
        return new Segment(shmid, p, size);
    }

    /** shmctl(id, IPC_RMID): the segment goes once the last process detaches. */
    public static void remove(int shmid) {
        Syscall.call("shmctl", shmid + ", IPC_RMID, NULL", () -> Libc.shmctl(shmid, IPC_RMID, null));
        Ledger.Entry e = CREATED.remove(Namespaces.ofThisThread(NsType.IPC) + ":" + shmid);
        if (e != null) e.removed();
    }

    /** The ledger's remover: IPC_RMID only if this thread's IPC namespace still lists that id with that key. */
    public static void removeRecorded(Map<String, String> f) {
        String id = f.get("id");
        if (id == null) return;
        long ns = Long.parseLong(f.get("ipcns"));
        if (Namespaces.ofThisThread(NsType.IPC) != ns) return; // another namespace: its segments go with it
        int shmid = Integer.parseInt(id);
        int key = (int) Long.parseLong(f.get("key").substring(2), 16);
        boolean listed = SysvIpcTable.sharedMemory().stream().anyMatch(r -> r.id() == shmid && r.key() == key);
        if (!listed) return;
        try {
            Syscall.call("shmctl", shmid + ", IPC_RMID, NULL", () -> Libc.shmctl(shmid, IPC_RMID, null));
        } catch (KernelException e) {
            if (!e.is(Errno.EINVAL) && !e.is(Errno.EIDRM)) throw e;
        }
    }

    public static String hex(int key) {
        return String.format("0x%08x", key);
    }

    /** An attached segment. */
    public static final class Segment implements AutoCloseable {
        private final int id;
        private final Pointer address;
        private final long size;
        private boolean attached = true;

        Segment(int id, Pointer address, long size) {
            this.id = id;
            this.address = address;
            this.size = size;
        }

        public int id() { return id; }

        /** Writes {@code text} NUL-terminated at offset 0 (the ex5 wire format); refuses what does not fit. */
        public void writeString(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            if (b.length + 1 > size) throw new IllegalArgumentException("message of " + b.length + " bytes does not fit the " + size + "-byte segment");
            address.write(0, b, 0, b.length);
            address.setByte(b.length, (byte) 0);
        }

        /** The bytes from offset 0 up to the first NUL (or the whole segment), as UTF-8. */
        public String readString() {
            byte[] b = address.getByteArray(0, (int) size);
            int end = 0;
            while (end < b.length && b[end] != 0) end++;
            return new String(b, 0, end, StandardCharsets.UTF_8);
        }

        /** shmdt: detach, never remove (the segment is its creator's). */
        @Override
        public void close() {
            if (!attached) return;
            attached = false;
            Syscall.call("shmdt", "0x" + Long.toHexString(Pointer.nativeValue(address)), () -> Libc.shmdt(address));
        }
    }
}
