package labsh.runtime.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import labsh.kernel.NsType;
import labsh.runtime.LaunchSpec;
import labsh.runtime.NativeStage;
import labsh.runtime.container.ContainerDir;
import labsh.runtime.container.Overlay;
import labsh.runtime.container.Rootfs;
import labsh.runtime.container.Rootfs.Tools;

/**
 * Builds an image one instruction at a time, as docker build does a Dockerfile, each instruction
 * making one layer directory under the image's own directory ({@code <state>/images/NAME-PID}):
 * <ul>
 * <li>{@code FROM busybox | dir:PATH | tar:PATH}: layer 1, the base (a busybox root built from the
 *     host's static busybox, a directory used as it is, or a tar unpacked);</li>
 * <li>{@code RUN command}: the layers so far become overlayfs' lower directories, a fresh upper
 *     directory takes the writes, and the command runs with /bin/sh -c in a container whose root is
 *     that overlay (nsinit: new pid, mnt, uts, ipc, net namespaces, pivot_root). The upper directory,
 *     as the kernel left it (whiteouts included), is the new layer;</li>
 * <li>{@code COPY hostpath /dest}: a new layer holding a copy of a host file or directory (cp -a).</li>
 * </ul>
 * The image's directory and every layer's are recorded in the ledger (kind container-dir) before
 * they exist, the overlay mounts too (kind mount); a build that fails leaves them to the unwind.
 */
public final class ImageBuilder {
    /** What a RUN printed and its exit status; a non-zero status stops the build. */
    public record RunOutput(Layer layer, String output) {}

    private final String name;
    private final Path dir;
    private final List<Layer> layers = new ArrayList<>();

    private ImageBuilder(String name, Path dir) {
        this.name = name;
        this.dir = dir;
    }

    /** Starts an image named {@code name} (letters, digits, '.', '_', '-') in a new directory under {@code imagesDir}. */
    public static ImageBuilder start(String name, Path imagesDir) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("image '" + name + "': use letters, digits, '.', '_' or '-'");
        }
        Path dir = imagesDir.toAbsolutePath().normalize().resolve(name + "-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(imagesDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + imagesDir + ": " + e.getMessage(), e);
        }
        ContainerDir.create(dir);
        return new ImageBuilder(name, dir);
    }

    public Path dir() { return dir; }

    /** FROM: the base layer. {@code busybox}, {@code dir:PATH} or {@code tar:PATH}. */
    public Layer from(String source) {
        if (!layers.isEmpty()) throw new IllegalArgumentException("from '" + source + "': an image has one FROM, and it comes first");
        Rootfs base;
        if (source.equals("busybox")) {
            base = Rootfs.busybox(nextLayerDir());
        } else if (source.startsWith("dir:")) {
            base = Rootfs.directory(Path.of(source.substring(4)));
        } else if (source.startsWith("tar:")) {
            base = Rootfs.tar(Path.of(source.substring(4)), nextLayerDir());
        } else {
            throw new IllegalArgumentException("from '" + source + "': not an image I can make; use 'busybox', 'dir:PATH' or 'tar:PATH'");
        }
        return add("FROM " + source, base.single());
    }

    /** RUN: runs {@code command} in a container on the layers so far; its writes are the new layer. */
    public RunOutput run(String command) {
        requireFrom("run");
        if (command.isBlank()) throw new IllegalArgumentException("run: the command is empty");
        Rootfs lower = image().rootfs();
        Path layerDir = nextLayerDir();
        ContainerDir.create(layerDir);
        Overlay root = Overlay.mount(lower, layerDir, layerDir.resolve("merged"), true);
        NativeStage.Result r;
        try {
            LaunchSpec.Builder spec = LaunchSpec.command("/bin/sh", "-c", command)
                    .namespaces(NsType.PID, NsType.MNT, NsType.UTS, NsType.IPC, NsType.NET).hostname("build")
                    .confined(true) // a recipe's line gets what a container's root gets, not the host's CAP_MKNOD + mount
                    .rootfs(root.mountPoint().toString()).mountProc(Files.isDirectory(root.mountPoint().resolve("proc")))
                    .clearEnv().env("PATH", "/bin:/sbin:/usr/bin:/usr/sbin").env("HOME", "/root").workDir("/")
                    .stdout(Redirect.PIPE).mergeStderr();
            if (!Files.isExecutable(root.mountPoint().resolve("bin/sh"))) {
                throw new IllegalArgumentException("run '" + command + "': the image has no /bin/sh to run it with");
            }
            r = NativeStage.run(spec.build());
        } finally {
            root.unmount();
        }
        if (r.exitCode() != 0) {
            String out = r.output().strip();
            throw new IllegalArgumentException("run '" + command + "' exited with status " + r.exitCode()
                    + (out.isEmpty() ? "" : ": " + out.lines().reduce((a, b) -> b).orElse("")));
        }
        return new RunOutput(add("RUN " + command, root.upper()), r.output());
    }

    /** COPY: a new layer holding the host's {@code hostPath} at {@code dest} (an absolute path in the image). */
    public Layer copy(String hostPath, String dest) {
        requireFrom("copy");
        Path source = Path.of(hostPath);
        if (!Files.exists(source)) throw new IllegalArgumentException("copy '" + hostPath + "': no such file or directory on the host");
        if (!dest.startsWith("/") || Path.of(dest).normalize().toString().equals("/")) {
            throw new IllegalArgumentException("copy '" + hostPath + "', '" + dest + "': the destination must be an absolute path in the image, not /");
        }
        Path layerDir = nextLayerDir();
        ContainerDir.create(layerDir);
        Path upper = layerDir.resolve("upper");
        Path target = upper.resolve(Path.of(dest).normalize().toString().substring(1));
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
        // cp -a: modes, times, symlinks and hard links as they are, as COPY keeps them
        Tools.Result r = Tools.run("cp", "-a", "--", source.toString(), target.toString());
        if (r.status() != 0) throw new IllegalArgumentException("copy '" + hostPath + "': " + r.lastLine());
        return add("COPY " + hostPath + " " + dest, upper);
    }

    /** The image as built so far. */
    public Image image() {
        requireFrom("image");
        return new Image(name, layers);
    }

    private void requireFrom(String what) {
        if (layers.isEmpty()) throw new IllegalArgumentException(what + ": the image has no base yet; start it with from 'busybox'");
    }

    private Path nextLayerDir() { return dir.resolve("layer-" + (layers.size() + 1)); }

    private Layer add(String instruction, Path content) {
        Layer l = new Layer(layers.size() + 1, instruction, content);
        layers.add(l);
        return l;
    }
}
