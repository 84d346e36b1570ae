package labsh.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import labsh.runtime.Ledger;

/**
 * A container's root image: one or more read-only directory layers (top first), as overlayfs takes
 * them. Made from a directory, from a tar file (seed 004's rootfs.tar), or built from the host's
 * statically linked busybox. Images built or unpacked by labsh are ledger-recorded
 * ({@link ContainerDir}) and go at the end of the lab; a directory given by the user is only read.
 */
public final class Rootfs {
    /** Where Debian's busybox-static puts it; static, so it runs in a root with no /lib. */
    static final List<Path> BUSYBOX = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));

    private final List<Path> layers;
    private final String description;

    private Rootfs(List<Path> layers, String description) {
        this.layers = List.copyOf(layers);
        this.description = description;
    }

    /** Read-only directory layers, top first (an image built in layers). */
    public static Rootfs layers(List<Path> topFirst, String description) {
        if (topFirst.isEmpty()) throw new IllegalArgumentException("a rootfs needs at least one layer");
        for (Path p : topFirst) requireDirectory(p);
        return new Rootfs(topFirst, description);
    }

    /** An existing directory, used as it is. */
    public static Rootfs directory(Path dir) {
        requireDirectory(dir);
        return new Rootfs(List.of(dir.toAbsolutePath().normalize()), "the directory " + dir);
    }

    /**
     * A tar file unpacked into {@code into} (a fresh directory, recorded). The file is listed with
     * {@code tar -tf} first, so a file that is not a tar is refused before anything is created.
     */
    public static Rootfs tar(Path tarFile, Path into) {
        if (!Files.isRegularFile(tarFile)) throw new IllegalArgumentException("rootfs '" + tarFile + "': no such file");
        Tools.Result listed = Tools.run("tar", "-tf", tarFile.toString());
        if (listed.status() != 0) {
            throw new IllegalArgumentException("rootfs '" + tarFile + "': not a tar archive (" + listed.lastLine() + ")");
        }
        ContainerDir.create(into);
        // --numeric-owner: the image's uids are the container's, not names to look up on the host
        Tools.Result r = Tools.run("tar", "-xf", tarFile.toString(), "-C", into.toString(), "--numeric-owner");
        if (r.status() != 0) throw new IllegalArgumentException("rootfs '" + tarFile + "': cannot unpack (" + r.lastLine() + ")");
        return new Rootfs(List.of(into), "the tar file " + tarFile);
    }

    /**
     * A minimal root built from the host's static busybox: /bin/busybox and a symlink per applet
     * (busybox --list-full), the directories a shell and mounts expect (/proc, /dev, /tmp, /etc,
     * /sys), /dev/null, /dev/zero, /dev/urandom as device nodes, and a root entry in /etc/passwd.
     */
    public static Rootfs busybox(Path into) {
        Path busybox = BUSYBOX.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no busybox on this machine: install busybox-static (scripts/install-deps)"));
        Tools.Result list = Tools.run(busybox.toString(), "--list-full");
        if (list.status() != 0) throw new IllegalStateException(busybox + " --list-full failed: " + list.lastLine());
        ContainerDir.create(into);
        try {
            for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "etc", "root")) {
                Files.createDirectories(into.resolve(d));
            }
            Files.copy(busybox, into.resolve("bin/busybox"));
            for (String applet : list.output().split("\n")) {
                Path link = into.resolve(applet.strip());
                if (applet.isBlank() || Files.exists(link)) continue;
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
            Files.writeString(into.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            Files.writeString(into.resolve("etc/group"), "root:x:0:\n");
            // mknod(2) is not in Java: mknod(1), from the host, before any container uses the root
            for (String[] dev : List.of(new String[] {"null", "1", "3"}, new String[] {"zero", "1", "5"},
                                        new String[] {"urandom", "1", "9"})) {
                Path node = into.resolve("dev").resolve(dev[0]);
                Tools.Result r = Tools.run("mknod", "-m", "666", node.toString(), "c", dev[1], dev[2]);
                if (r.status() != 0) throw new IllegalStateException("mknod " + node + ": " + r.lastLine());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("building a busybox rootfs in " + into + ": " + e.getMessage(), e);
        }
        return new Rootfs(List.of(into), "busybox (" + busybox + ", " + list.output().split("\n").length + " applets)");
    }

    /** The layers, top first. */
    public List<Path> layers() { return layers; }

    /** The one layer of a single-layer image (what a read-only container binds). */
    public Path single() {
        if (layers.size() != 1) throw new IllegalStateException("this rootfs has " + layers.size() + " layers");
        return layers.get(0);
    }

    @Override
    public String toString() { return description; }

    private static void requireDirectory(Path dir) {
        if (!Files.exists(dir)) throw new IllegalArgumentException("rootfs '" + dir + "': no such file or directory");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("rootfs '" + dir + "': not a directory (give a directory or a .tar file)");
    }

    /** Host tools run to completion (tar, mknod, busybox, du): status and output. */
    static final class Tools {
        record Result(int status, String output) {
            String lastLine() {
                List<String> lines = new ArrayList<>(output.strip().lines().toList());
                return lines.isEmpty() ? "status " + status : lines.get(lines.size() - 1);
            }
        }

        static Result run(String... command) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return new Result(p.waitFor(), out);
            } catch (IOException e) {
                return new Result(127, command[0] + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + command[0]);
            }
        }
    }
}
