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
    private final String unpacked;

    private Rootfs(List<Path> layers, String description) {
        this(layers, description, null);
    }

    private Rootfs(List<Path> layers, String description, String unpacked) {
        this.layers = List.copyOf(layers);
        this.description = description;
        this.unpacked = unpacked;
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
        Scrubbed scrubbed = scrub(into);
        return new Rootfs(List.of(into), "the tar file " + tarFile, "unpacked " + tarFile.getFileName() + ": " + scrubbed);
    }

    /** What {@link #scrub} took out of an unpacked tree. */
    public record Scrubbed(int deviceNodes, int setIdBits) {
        @Override
        public String toString() {
            return "skipped " + deviceNodes + " device node" + (deviceNodes == 1 ? "" : "s") + ", cleared setuid/setgid on "
                    + setIdBits + " file" + (setIdBits == 1 ? "" : "s");
        }
    }

    private static final int S_IFMT = 0170000, S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFREG = 0100000, S_ISUID = 04000, S_ISGID = 02000;

    /**
     * Takes out of an unpacked image what must not come from a tar (issue 12, finding 3): block and
     * character device nodes are deleted, and setuid/setgid bits of regular files cleared (a
     * setgid directory only passes its group on, so it stays). Done by walking the tree after tar
     * rather than by a tar option: GNU tar has none that skips members by type on extraction, and
     * as root it restores setuid bits (--same-permissions is root's default). The walk never
     * follows a symlink (Files.walkFileTree's default), and the directory is labsh's own and fresh,
     * so nothing can swap a name during it. FIFOs and sockets stay: they reach no device.
     */
    static Scrubbed scrub(Path dir) {
        int[] devices = {0}, setIds = {0};
        try {
            Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) throws IOException {
                    int mode = (Integer) Files.getAttribute(f, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    int type = mode & S_IFMT;
                    if (type == S_IFCHR || type == S_IFBLK) {
                        Files.delete(f);
                        devices[0]++;
                    } else if (type == S_IFREG && (mode & (S_ISUID | S_ISGID)) != 0) {
                        Files.setAttribute(f, "unix:mode", mode & ~(S_ISUID | S_ISGID) & 07777, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                        setIds[0]++;
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("checking the unpacked image " + dir + ": " + e.getMessage(), e);
        }
        return new Scrubbed(devices[0], setIds[0]);
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

    /** For an unpacked tar: what was left out of it ("unpacked x.tar: skipped 2 device nodes, ..."), else null. */
    public String unpacked() { return unpacked; }

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

    /** Host tools run to completion (tar, mknod, busybox, du, cp): status and output. */
    public static final class Tools {
        public record Result(int status, String output) {
            public String lastLine() {
                List<String> lines = new ArrayList<>(output.strip().lines().toList());
                return lines.isEmpty() ? "status " + status : lines.get(lines.size() - 1);
            }
        }

        /**
         * {@code command}, killed if labsh dies first (setpriv --pdeathsig, prctl(2) PR_SET_PDEATHSIG):
         * a tar still unpacking after a kill -9 would write into the state directory after
         * `labsh clean` has emptied it (seen in CrashSafetySpec). The caller's thread waits for
         * it, so only labsh's death sends the signal.
         */
        public static List<String> diesWithLabsh(String... command) {
            List<String> c = new ArrayList<>();
            if (Files.isExecutable(SETPRIV)) c.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
            c.addAll(List.of(command));
            return c;
        }

        private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

        public static Result run(String... command) {
            try {
                Process p = new ProcessBuilder(diesWithLabsh(command)).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
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
