package labsh.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Every mount goes through {@link Mounts#mount}, which records it in the ledger first.
 */
public final class Overlay {
    private final Path mountPoint, upper, work;
    private final boolean writable;

    private Overlay(Path mountPoint, Path upper, Path work, boolean writable) {
        this.mountPoint = mountPoint;
        this.upper = upper;
        this.work = work;
        this.writable = writable;
    }

    /**
     * Mounts {@code rootfs} at {@code mountPoint}; the upper and work directories go in {@code dir}
     * (the container's own directory, on the same file system: overlayfs wants upper and work on one).
     */
    public static Overlay mount(Rootfs rootfs, Path dir, Path mountPoint, boolean writable) {
        Path upper = dir.resolve("upper"), work = dir.resolve("work");
        try {
            Files.createDirectories(mountPoint);
            if (writable) {
                Files.createDirectories(upper);
                Files.createDirectories(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directories of " + mountPoint + ": " + e.getMessage(), e);
        }
        String lower = rootfs.layers().stream().map(Path::toString).collect(Collectors.joining(":"));
        String mp = mountPoint.toString();
        if (writable) {
            Mounts.mount("overlay", mp, "overlay", 0, "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work);
        } else if (rootfs.layers().size() > 1) {
            Mounts.mount("overlay", mp, "overlay", Mounts.MS_RDONLY, "lowerdir=" + lower);
        } else {
            Mounts.bind(rootfs.single().toString(), mp, true);
            Mounts.mount(null, mp, null, Mounts.MS_REMOUNT | Mounts.MS_BIND | Mounts.MS_RDONLY, null);
        }
        return new Overlay(mountPoint, writable ? upper : null, writable ? work : null, writable);
    }

    /** Where the container's root is mounted on the host: the directory nsinit pivots into. */
    public Path mountPoint() { return mountPoint; }

    /** The container's own writes (null when read-only). */
    public Path upper() { return upper; }

    public Path work() { return work; }

    public boolean writable() { return writable; }

    /** The host's view of this mount (/proc/self/mountinfo), or null once unmounted. */
    public MountInfo mountInfo() { return MountInfo.at(MountInfo.ofThisThread(), mountPoint.toString()); }

    /** Unmounts (every layer mounted at the mount point, newest first). */
    public void unmount() {
        List<MountInfo> mounts = MountInfo.ofThisThread();
        while (MountInfo.at(mounts, mountPoint.toString()) != null) {
            Mounts.umount(mountPoint.toString(), true);
            mounts = MountInfo.ofThisThread();
        }
    }

    @Override
    public String toString() {
        return writable ? "overlay at " + mountPoint + " (upper " + upper + ")" : "read-only bind at " + mountPoint;
    }
}
