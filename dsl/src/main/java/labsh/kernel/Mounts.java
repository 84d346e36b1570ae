package labsh.kernel;

/**
 * mount(2), umount2(2) and pivot_root(2) for the calling thread's mount namespace, with the flags
 * written by name in the trace ({@code mount("a", "b", NULL, MS_BIND|MS_REC, NULL)}). Every new
 * mount is recorded in the ledger with its mount namespace; one in a container's namespace goes
 * with the namespace, one in the host's is unmounted by the ledger's unwind or `labsh clean`.
 */
public final class Mounts {
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
            MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18,
            MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;

    private static final long[] BITS = {MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_MOVE,
            MS_REC, MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED};
    private static final String[] NAMES = {"MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_REMOUNT", "MS_BIND",
            "MS_MOVE", "MS_REC", "MS_UNBINDABLE", "MS_PRIVATE", "MS_SLAVE", "MS_SHARED"};

    private Mounts() {}

    /** Open ledger entries of mounts made here, by "mntns:path". */
    private static final java.util.Map<String, labsh.runtime.Ledger.Entry> MADE = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * mount(2). A new mount (not a propagation change, remount or move) is recorded in the ledger
     * first, with this thread's mount namespace: one made in the host's would outlive labsh.
     */
    public static void mount(String source, String target, String fsType, long flags, String data) {
        String args = Syscall.quote(source) + ", " + Syscall.quote(target) + ", " + Syscall.quote(fsType) + ", "
                + Syscall.flags(flags, BITS, NAMES) + ", " + Syscall.quote(data);
        boolean creates = (flags & (MS_REMOUNT | MS_MOVE | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)) == 0;
        labsh.runtime.Ledger.Entry e = null;
        String mntns = null;
        if (creates) {
            mntns = Long.toString(Namespaces.ofThisThread(NsType.MNT));
            e = labsh.runtime.Ledger.current().intend("mount", "path", target, "mntns", mntns);
        }
        try {
            Syscall.call("mount", args, () -> Libc.mount(source, target, fsType, flags, data));
        } catch (KernelException ex) {
            if (e != null) e.removed();
            throw ex;
        }
        if (e != null) MADE.put(mntns + ":" + target, e.created());
    }

    /** The ledger's remover: lazy unmount, only in the recorded namespace and only if still a mount point. */
    public static void removeRecorded(java.util.Map<String, String> f) {
        String path = f.get("path");
        if (path == null || !f.get("mntns").equals(Long.toString(Namespaces.ofThisThread(NsType.MNT)))) return;
        if (MountInfo.at(MountInfo.ofThisThread(), path) == null) return;
        umount(path, true);
    }

    /**
     * Closes the ledger entries of the mounts made in mount namespace {@code mntns} once no process
     * holds it any more: the kernel freed those mounts with the namespace (mount_namespaces(7)), so
     * there is nothing left for the unwind or `labsh clean` to unmount.
     */
    public static void forgetNamespace(long mntns) {
        String prefix = mntns + ":";
        MADE.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(prefix)) return false;
            e.getValue().removed();
            return true;
        });
    }

    /** mount --bind (--rbind when recursive). */
    public static void bind(String source, String target, boolean recursive) {
        mount(source, target, null, MS_BIND | (recursive ? MS_REC : 0), null);
    }

    /**
     * mount --move: fails with EINVAL when the mount sits under a shared parent (mount_namespaces(7)).
     * The mount now lives at {@code target}: recorded there first, so that the ledger's unwind and
     * `labsh clean` unmount it where it is, and a mount labsh made at {@code source} is no longer there.
     */
    public static void move(String source, String target) {
        String mntns = Long.toString(Namespaces.ofThisThread(NsType.MNT));
        labsh.runtime.Ledger.Entry e = labsh.runtime.Ledger.current().intend("mount", "path", target, "mntns", mntns);
        try {
            mount(source, target, null, MS_MOVE, null);
        } catch (KernelException ex) {
            e.removed();
            throw ex;
        }
        MADE.put(mntns + ":" + target, e.created());
        labsh.runtime.Ledger.Entry old = MADE.remove(mntns + ":" + source);
        if (old != null) old.removed();
    }

    public static void makeShared(String path, boolean recursive) { propagation(path, MS_SHARED, recursive); }

    public static void makePrivate(String path, boolean recursive) { propagation(path, MS_PRIVATE, recursive); }

    public static void makeSlave(String path, boolean recursive) { propagation(path, MS_SLAVE, recursive); }

    public static void makeUnbindable(String path, boolean recursive) { propagation(path, MS_UNBINDABLE, recursive); }

    private static void propagation(String path, long type, boolean recursive) {
        mount(null, path, null, type | (recursive ? MS_REC : 0), null);
    }

    /** umount2(path, detach ? MNT_DETACH : 0). */
    public static void umount(String path, boolean detach) {
        int flags = detach ? MNT_DETACH : 0;
        Syscall.call("umount2", Syscall.quote(path) + ", " + (detach ? "MNT_DETACH" : "0"), () -> Libc.umount2(path, flags));
        if (MountInfo.at(MountInfo.ofThisThread(), path) == null) {
            labsh.runtime.Ledger.Entry e = MADE.remove(Namespaces.ofThisThread(NsType.MNT) + ":" + path);
            if (e != null) e.removed();
        }
    }

    /** pivot_root(newRoot, putOld): there is no libc wrapper, so through syscall(2). */
    public static void pivotRoot(String newRoot, String putOld) {
        Syscall.callLong("pivot_root", Syscall.quote(newRoot) + ", " + Syscall.quote(putOld),
                () -> Libc.syscall(Libc.SYS_PIVOT_ROOT, newRoot, putOld));
    }
}
