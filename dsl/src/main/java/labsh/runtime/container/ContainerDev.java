package labsh.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import labsh.kernel.Beneath;
import labsh.kernel.DeviceFilter;
import labsh.kernel.MountInfo;
import labsh.kernel.Mounts;

/**
 * A container's /dev: a small tmpfs mounted on the root's /dev before nsinit pivots into it, with
 * the device nodes of runc's default list ({@link DeviceFilter#NODES}: null, zero, full, random,
 * urandom, tty) and the /dev/fd, stdin, stdout, stderr links runc makes. Why: the root is nodev
 * ({@link Overlay}), so the nodes of an image do not open; runc, too, mounts a tmpfs on /dev and
 * makes its own nodes (libcontainer/rootfs_linux.go). The tmpfs is nosuid and noexec; it is not
 * nodev, and the device cgroup ({@link DeviceFilter}) keeps what opens to the same list.
 *
 * <p>It is mounted only on a real directory (never through a symlink an image may put at /dev:
 * mount(2) would follow it on the host). A writable root whose image has no /dev gets one, made
 * beneath the root (openat2 RESOLVE_IN_ROOT); a read-only root without one gets none.
 */
public final class ContainerDev {
    private final Path at;

    private ContainerDev(Path at) { this.at = at; }

    /** Mounts the tmpfs on {@code root}/dev, or returns null when the root has no /dev to mount on. */
    static ContainerDev mount(Path root, boolean writable) {
        Path at = root.resolve("dev");
        if (writable && !Files.exists(at, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (Beneath r = Beneath.open(root, Beneath.AS_ROOT)) {
                r.mkdirs("dev", 0755);
            }
        }
        if (!Overlay.realDirectory(at)) return null;
        Mounts.mount("tmpfs", at.toString(), "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NOEXEC, "mode=755,size=64k,nr_inodes=64");
        ContainerDev dev = new ContainerDev(at);
        try {
            // mknod(2) is not in Java: mknod(1), on the tmpfs just mounted (no one else can reach it yet)
            for (DeviceFilter.Node n : DeviceFilter.NODES) {
                Rootfs.Tools.Result r = Rootfs.Tools.run("mknod", "-m", "666", at.resolve(n.name()).toString(), "c",
                        Integer.toString(n.major()), Integer.toString(n.minor()));
                if (r.status() != 0) throw new IllegalStateException("mknod " + at.resolve(n.name()) + ": " + r.lastLine());
            }
            for (List<String> link : List.of(List.of("fd", "/proc/self/fd"), List.of("stdin", "/proc/self/fd/0"),
                                             List.of("stdout", "/proc/self/fd/1"), List.of("stderr", "/proc/self/fd/2"))) {
                Files.createSymbolicLink(at.resolve(link.get(0)), Path.of(link.get(1)));
            }
        } catch (IOException e) {
            dev.unmount();
            throw new UncheckedIOException("making the nodes of " + at + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            dev.unmount();
            throw e;
        }
        return dev;
    }

    /** Where it is mounted on the host. */
    public Path path() { return at; }

    void unmount() {
        if (MountInfo.at(MountInfo.ofThisThread(), at.toString()) != null) Mounts.umount(at.toString(), true);
    }
}
