package labsh.runtime.ex5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

import labsh.runtime.Ledger;
import labsh.runtime.container.ContainerDir;
import labsh.runtime.container.Overlay;
import labsh.runtime.container.Rootfs;

/**
 * The root of ex5's container (seed 002): a busybox image of its own, mounted read-only, holding
 * the seed's server linked statically, and nothing of the host but what the server needs. The info
 * directory is the one host directory bound into it (by the launch, at the same path, as
 * singularity's {@code --bind} does); ftok(3)'s file is a hard link in the image: the same inode and
 * device, so the same key as on the host, but read-only like the rest of the root.
 *
 * <p>Why not the host's {@code /}: root in a container that shares it keeps CAP_DAC_OVERRIDE and
 * could write the host's /tmp and read /etc/shadow (issue 12, finding 7). Docker and the courses'
 * containers give a container an image of its own.
 */
public final class Ex5Root implements AutoCloseable {
    /** Where the server is inside the image. */
    public static final String SERVER = "/bin/ex5-server";

    private final Ledger.Entry dirEntry;
    private final Overlay overlay;

    private Ex5Root(Ledger.Entry dirEntry, Overlay overlay) {
        this.dirEntry = dirEntry;
        this.overlay = overlay;
    }

    /**
     * Builds the image in {@code dir} (a fresh directory, recorded) and mounts it read-only at
     * {@code dir/root}. {@code server} is the statically linked server, {@code infoDir} the
     * directory that will be bound in, {@code shmPath} ftok's path (an existing regular file on
     * labsh's file system, or a path inside the info directory).
     */
    public static Ex5Root prepare(Path dir, Path server, Path infoDir, Path shmPath) {
        Path info = infoDir.toAbsolutePath().normalize();
        Path shm = shmPath.toAbsolutePath().normalize();
        Ledger.Entry entry = ContainerDir.create(dir);
        Overlay overlay = null;
        try {
            Path image = dir.resolve("image");
            Rootfs rootfs = Rootfs.busybox(image);
            Files.copy(server, image.resolve(SERVER.substring(1)), StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(image.resolve(SERVER.substring(1)), PosixFilePermissions.fromString("r-xr-xr-x"));
            // nsinit binds onto an existing directory, and the root will be read-only: make it now
            Files.createDirectories(image.resolve(info.toString().substring(1)));
            if (!shm.startsWith(info)) linkFtokFile(image, shm);
            overlay = Overlay.mount(rootfs, dir, dir.resolve("root"), false);
            return new Ex5Root(entry, overlay);
        } catch (IOException | RuntimeException e) {
            if (overlay != null) overlay.unmount();
            ContainerDir.removeRecorded(entry.fields());
            entry.removed();
            if (e instanceof IOException io) throw new UncheckedIOException("building the ex5 container's root in " + dir + ": " + io.getMessage(), io);
            throw (RuntimeException) e;
        }
    }

    /**
     * ftok(3) keys on st_ino and st_dev of the path (stat(2) follows symlinks): a hard link to the
     * real file, at the same path in the image, gives the container the host's key.
     */
    private static void linkFtokFile(Path image, Path shm) throws IOException {
        if (!Files.exists(shm)) {
            throw new IllegalArgumentException("shm: " + shm + " does not exist, and ftok(3) needs an existing file (make one with workfile)");
        }
        Path real = shm.toRealPath();
        if (!Files.isRegularFile(real)) {
            throw new IllegalArgumentException("shm: " + shm + " is not a regular file; in a container ftok's path must be one (make one with workfile)");
        }
        Path inImage = image.resolve(shm.toString().substring(1));
        Files.createDirectories(inImage.getParent());
        Files.deleteIfExists(inImage); // the image's own file of that name (e.g. /etc/passwd) gives way
        try {
            Files.createLink(inImage, real);
        } catch (IOException e) {
            throw new IllegalArgumentException("shm: " + shm + " cannot be linked into the container's read-only root (" + e.getMessage()
                    + "): it must be on the file system of " + Ledger.stateDir() + " (make one with workfile)");
        }
        if (Files.isSymbolicLink(inImage) || !Files.isSameFile(inImage, real)) throw new IllegalStateException("shm: the link to " + real + " is not the same file");
    }

    /** The directory the launch pivots into (read-only). */
    public Path root() { return overlay.mountPoint(); }

    /** Unmounts the root and removes the image and its directory. */
    @Override
    public void close() {
        overlay.unmount();
        if (Files.exists(Path.of(dirEntry.fields().get("path")), LinkOption.NOFOLLOW_LINKS)) ContainerDir.removeRecorded(dirEntry.fields());
        dirEntry.removed();
    }

    @Override
    public String toString() { return "a read-only busybox root at " + root(); }
}
