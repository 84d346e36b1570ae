package labsh.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import labsh.kernel.MountInfo;
import labsh.kernel.Mounts;

/**
 * A container's root as mounted in the host's mount namespace (seed 004 1B (i): "the rootfs should
 * be bind mounted to a specific directory in the root mount namespace"):
 * <ul>
 * <li>writable: overlayfs, the image's layers as {@code lowerdir} (never written), the container's
 *     own {@code upper} directory taking every write, {@code work} for overlayfs' atomic renames
 *     (overlayfs docs, filesystems/overlayfs.rst);</li>
 * <li>read-only: a bind mount of the image remounted MS_RDONLY (a read-only bind must be made in two
 *     calls, mount(2) "Creating a bind mount"), or, for an image of several layers, an overlay with
 *     lower layers only.</li>
 * </ul>
 * Every root is MS_NODEV|MS_NOSUID, as runc mounts a container's rootfs and Docker its layers: a
 * device node in an image (or one a container makes) does not open, and a setuid file gains no
 * one anything. The container's directory (upper, work, the extra mount's source) is bound onto
 * itself nosuid,nodev first, so a setuid-root file a container writes into its upper directory
 * does not elevate a host user who runs it by its host path either. The container's /dev is a
 * small tmpfs of its own ({@link ContainerDev}), the one place where the usual device nodes work.
 * Every mount goes through {@link Mounts#mount}, which records it in the ledger first.
 */
public final class Overlay {
    /** nodev: device nodes do not open; nosuid: setuid/setgid bits and file capabilities are ignored (mount(2)). */
    static final long CONFINED = Mounts.MS_NODEV | Mounts.MS_NOSUID;

    private final Path mountPoint, upper, work, dir;
    private final boolean writable;
    private final boolean dirBound;
    private final ContainerDev dev;

    private Overlay(Path mountPoint, Path upper, Path work, boolean writable, Path dir, boolean dirBound, ContainerDev dev) {
        this.mountPoint = mountPoint;
        this.upper = upper;
        this.work = work;
        this.writable = writable;
        this.dir = dir;
        this.dirBound = dirBound;
        this.dev = dev;
    }

    /**
     * Mounts {@code rootfs} at {@code mountPoint}; the upper and work directories go in {@code dir}
     * (the container's own directory, on the same file system: overlayfs wants upper and work on one).
     */
    public static Overlay mount(Rootfs rootfs, Path dir, Path mountPoint, boolean writable) {
        Path upper = dir.resolve("upper"), work = dir.resolve("work");
        try {
            Files.createDirectories(dir);
            Files.createDirectories(mountPoint);
            if (writable) {
                Files.createDirectories(upper);
                Files.createDirectories(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directories of " + mountPoint + ": " + e.getMessage(), e);
        }
        List<Runnable> undo = new ArrayList<>();
        try {
            // the container's directory is on the host's (suid-capable) file system: bind it onto
            // itself and remount the bind nosuid,nodev (a bind takes new flags only on a remount, mount(2))
            String d = dir.toString();
            Mounts.bind(d, d, false);
            undo.add(() -> Mounts.umount(d, true));
            Mounts.mount(null, d, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | CONFINED, null);
            String lower = rootfs.layers().stream().map(Path::toString).collect(Collectors.joining(":"));
            String mp = mountPoint.toString();
            if (writable) {
                Mounts.mount("overlay", mp, "overlay", CONFINED, "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work);
            } else if (rootfs.layers().size() > 1) {
                Mounts.mount("overlay", mp, "overlay", Mounts.MS_RDONLY | CONFINED, "lowerdir=" + lower);
            } else {
                Mounts.bind(rootfs.single().toString(), mp, true);
                // the remount sets the flags of this bind only: MS_RDONLY and the two that keep devices and setuid out
                Mounts.mount(null, mp, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | Mounts.MS_RDONLY | CONFINED, null);
            }
            undo.add(0, () -> unmountAll(mountPoint));
            ContainerDev dev = ContainerDev.mount(mountPoint, writable);
            return new Overlay(mountPoint, writable ? upper : null, writable ? work : null, writable, dir, true, dev);
        } catch (RuntimeException e) {
            for (Runnable u : undo) {
                try {
                    u.run();
                } catch (RuntimeException ignored) {
                    // the ledger still holds it: the unwind or `labsh clean` retries
                }
            }
            throw e;
        }
    }

    /** Where the container's root is mounted on the host: the directory nsinit pivots into. */
    public Path mountPoint() { return mountPoint; }

    /** The container's own writes (null when read-only). */
    public Path upper() { return upper; }

    public Path work() { return work; }

    public boolean writable() { return writable; }

    /** The container's /dev (a tmpfs with the allowed nodes), or null when its root has no real /dev directory. */
    public ContainerDev dev() { return dev; }

    /** The host's view of this mount (/proc/self/mountinfo), or null once unmounted. */
    public MountInfo mountInfo() { return MountInfo.at(MountInfo.ofThisThread(), mountPoint.toString()); }

    /** Unmounts /dev, the root (every layer mounted at the mount point, newest first), then the directory's bind. */
    public void unmount() {
        if (dev != null) dev.unmount();
        unmountAll(mountPoint);
        if (dirBound) unmountAll(dir);
    }

    private static void unmountAll(Path at) {
        List<MountInfo> mounts = MountInfo.ofThisThread();
        while (MountInfo.at(mounts, at.toString()) != null) {
            Mounts.umount(at.toString(), true);
            mounts = MountInfo.ofThisThread();
        }
    }

    /** True when {@code p} is a directory itself, not a symlink to one (checked before mounting on it). */
    static boolean realDirectory(Path p) { return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS); }

    @Override
    public String toString() {
        return (writable ? "overlay at " + mountPoint + " (upper " + upper + ")" : "read-only bind at " + mountPoint) + ", nodev,nosuid";
    }
}
