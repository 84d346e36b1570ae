package labsh.kernel;

/**
 * A copy of a mount tree that is attached nowhere yet, from the new mount API (Linux 5.2):
 * {@code open_tree(AT_FDCWD, path, OPEN_TREE_CLONE)} clones the mount at {@code path} into a file
 * descriptor, and {@code move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)} attaches
 * it at {@code target} in the mount namespace of the calling thread.
 *
 * <p>Why: a bind mount into a running container whose root was pivoted. From the container's
 * mount namespace the host's directory has no path at all (its old root was detached), so a
 * classic {@code mount --bind SRC DST} made there has no SRC. The tree is opened on the host,
 * then the thread joins the container's mount namespace (setns) and attaches it there
 * (open_tree(2), move_mount(2)). The new mount is recorded in the ledger as a {@code mount} of
 * that namespace, like every mount {@link Mounts} makes.
 */
public final class DetachedMount implements AutoCloseable {
    private static final long AT_FDCWD = -100, OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 02000000, AT_RECURSIVE = 0x8000,
            MOVE_MOUNT_F_EMPTY_PATH = 4;

    private final int fd;
    private final String source;

    private DetachedMount(int fd, String source) {
        this.fd = fd;
        this.source = source;
    }

    /** open_tree(AT_FDCWD, path, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC[|AT_RECURSIVE]): a detached bind mount of {@code path}. */
    public static DetachedMount cloneOf(String path, boolean recursive) {
        long flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        long fd = Syscall.callLong("open_tree", "AT_FDCWD, " + Syscall.quote(path) + ", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC"
                + (recursive ? "|AT_RECURSIVE" : ""), () -> Libc.syscall(Libc.SYS_OPEN_TREE, AT_FDCWD, path, flags));
        return new DetachedMount((int) fd, path);
    }

    /**
     * move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH): attaches the tree at
     * {@code target}, resolved in the calling thread's mount namespace and root. {@code mntns} is
     * that namespace's inode, for the ledger, read by the caller before it joined: in there
     * /proc may belong to another pid namespace, where this thread has no /proc/thread-self.
     */
    public labsh.runtime.Ledger.Entry attachAt(String target, long mntns) {
        labsh.runtime.Ledger.Entry e = labsh.runtime.Ledger.current().intend("mount", "path", target, "mntns", Long.toString(mntns));
        try {
            Syscall.callLong("move_mount", fd + ", \"\", AT_FDCWD, " + Syscall.quote(target) + ", MOVE_MOUNT_F_EMPTY_PATH",
                    () -> Libc.syscall(Libc.SYS_MOVE_MOUNT, (long) fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH));
        } catch (KernelException ex) {
            e.removed();
            throw ex;
        }
        return e.created("source", source);
    }

    /** umount2(target, MNT_DETACH) in the calling thread's mount namespace: undoes {@link #attachAt}. */
    public static void detachAt(String target) {
        Syscall.call("umount2", Syscall.quote(target) + ", MNT_DETACH", () -> Libc.umount2(target, Mounts.MNT_DETACH));
    }

    @Override
    public void close() {
        Syscall.call("close", Integer.toString(fd), () -> Libc.close(fd));
    }
}
