package labsh.kernel;

/**
 * mount(2), umount2(2) and pivot_root(2) for the calling thread's mount namespace, with the flags
 * written by name in the trace ({@code mount("a", "b", NULL, MS_BIND|MS_REC, NULL)}). Mounts made
 * in the host's namespace must be recorded in the ledger by the caller (runtime), which knows
 * whether the namespace is the host's; mounts in a container's namespace go with it.
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

    public static void mount(String source, String target, String fsType, long flags, String data) {
        String args = Syscall.quote(source) + ", " + Syscall.quote(target) + ", " + Syscall.quote(fsType) + ", "
                + Syscall.flags(flags, BITS, NAMES) + ", " + Syscall.quote(data);
        Syscall.call("mount", args, () -> Libc.mount(source, target, fsType, flags, data));
    }

    /** mount --bind (--rbind when recursive). */
    public static void bind(String source, String target, boolean recursive) {
        mount(source, target, null, MS_BIND | (recursive ? MS_REC : 0), null);
    }

    /** mount --move: fails with EINVAL when the mount sits under a shared parent (mount_namespaces(7)). */
    public static void move(String source, String target) {
        mount(source, target, null, MS_MOVE, null);
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
    }

    /** pivot_root(newRoot, putOld): there is no libc wrapper, so through syscall(2). */
    public static void pivotRoot(String newRoot, String putOld) {
        Syscall.callLong("pivot_root", Syscall.quote(newRoot) + ", " + Syscall.quote(putOld),
                () -> Libc.syscall(Libc.SYS_PIVOT_ROOT, newRoot, putOld));
    }
}
