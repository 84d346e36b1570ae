package labsh.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The boot files of labsh's ex5 VM: the distribution's kernel (/boot/vmlinuz-*, from Debian's
 * linux-image-amd64) and a small initramfs built here from busybox-static, the seed's server
 * compiled statically from labs/c/ex5, the kernel modules for virtio-net and 9p (with their
 * dependencies, in modules.dep order) and an /init script (resource labsh/vm/init).
 *
 * <p>The initramfs is cached under {@code stateDir()/vm/<hash of its inputs>}, so it is built once
 * (about a second) and again only when the kernel, busybox, the C sources or the init change.
 */
public final class VmImage {
    /** The modules the guest needs that Debian builds as modules, not into the kernel. */
    private static final List<String> ROOT_MODULES = List.of("virtio_pci", "virtio_net", "9pnet_virtio", "9p");

    private final Path kernel;
    private final Path initrd;

    private VmImage(Path kernel, Path initrd) {
        this.kernel = kernel;
        this.initrd = initrd;
    }

    public Path kernel() { return kernel; }

    public Path initrd() { return initrd; }

    /** Finds the kernel and builds (or reuses) the initramfs; one clear line when a piece is missing. */
    public static VmImage prepare() {
        Path kernel = newestKernel();
        String version = kernel.getFileName().toString().substring("vmlinuz-".length());
        Path modules = Path.of("/lib/modules", version);
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isDirectory(modules)) throw missing("the modules of kernel " + version + " (" + modules + ")");
        if (!Files.isExecutable(busybox)) throw missing("busybox (package busybox-static)");
        Path sources = Repository.path("labs/c/ex5");
        try {
            List<Path> moduleFiles = moduleFiles(modules);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            digest(md, kernel);
            digest(md, busybox);
            for (Path m : moduleFiles) digest(md, m);
            try (var s = Files.list(sources)) {
                for (Path p : (Iterable<Path>) s.sorted()::iterator) if (Files.isRegularFile(p)) digest(md, p);
            }
            byte[] init = initScript();
            md.update(init);
            String hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
            Path dir = Ledger.stateDir().resolve("vm").resolve(hash);
            Path initrd = dir.resolve("initrd.cpio.gz");
            if (!Files.exists(initrd)) build(dir, initrd, busybox, sources, moduleFiles, init);
            return new VmImage(kernel, initrd);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the VM's initramfs: " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path newestKernel() {
        try (var s = Files.list(Path.of("/boot"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                    .filter(Files::isReadable)
                    .max((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .orElseThrow(() -> missing("a kernel image in /boot (package linux-image-amd64)"));
        } catch (IOException e) {
            throw missing("a kernel image in /boot (package linux-image-amd64)");
        }
    }

    static IllegalStateException missing(String what) {
        return new IllegalStateException("the VM needs " + what + ": install it with scripts/install-deps");
    }

    /** The root modules and everything they depend on, dependencies first (modules.dep order). */
    static List<Path> moduleFiles(Path modulesDir) throws IOException {
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (String line : Files.readAllLines(modulesDir.resolve("modules.dep"))) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            List<String> d = new ArrayList<>();
            for (String s : line.substring(colon + 1).trim().split("\\s+")) if (!s.isEmpty()) d.add(s);
            deps.put(line.substring(0, colon), d);
        }
        Set<String> ordered = new LinkedHashSet<>();
        for (String root : ROOT_MODULES) {
            String path = deps.keySet().stream().filter(k -> k.endsWith("/" + root + ".ko")).findFirst().orElse(null);
            if (path == null) continue; // built into this kernel
            addWithDeps(path, deps, ordered);
        }
        List<Path> files = new ArrayList<>();
        for (String p : ordered) files.add(modulesDir.resolve(p));
        return files;
    }

    private static void addWithDeps(String module, Map<String, List<String>> deps, Set<String> out) {
        if (out.contains(module)) return;
        // modules.dep lists a module's dependencies nearest first: load them in reverse
        List<String> d = new ArrayList<>(deps.getOrDefault(module, List.of()));
        java.util.Collections.reverse(d);
        for (String dep : d) addWithDeps(dep, deps, out);
        out.add(module);
    }

    private static byte[] initScript() throws IOException {
        try (var in = VmImage.class.getResourceAsStream("/labsh/vm/init")) {
            if (in == null) throw new IOException("resource labsh/vm/init is missing from the build");
            return in.readAllBytes();
        }
    }

    private static void digest(MessageDigest md, Path p) throws IOException {
        md.update(p.toString().getBytes(StandardCharsets.UTF_8));
        md.update(Files.readAllBytes(p));
    }

    private static void build(Path dir, Path initrd, Path busybox, Path sources, List<Path> modules, byte[] init)
            throws IOException {
        Path root = dir.resolve("root");
        Files.createDirectories(root);
        for (String d : List.of("bin", "proc", "sys", "dev", "tmp", "modules")) Files.createDirectories(root.resolve(d));
        Files.copy(busybox, root.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
        Files.write(root.resolve("init"), init);
        root.resolve("init").toFile().setExecutable(true, false);
        StringBuilder order = new StringBuilder();
        for (Path m : modules) {
            String name = m.getFileName().toString();
            Files.copy(m, root.resolve("modules").resolve(name), StandardCopyOption.REPLACE_EXISTING);
            order.append(name, 0, name.length() - ".ko".length()).append('\n');
        }
        Files.writeString(root.resolve("modules.order"), order);
        Path build = dir.resolve("c");
        run(List.of("make", "-s", "-C", sources.toString(), "static", "OUT=" + build), "compiling the VM's ex5 server");
        Files.copy(build.resolve("ex5-server-static"), root.resolve("bin/ex5-server"), StandardCopyOption.REPLACE_EXISTING);
        Path tmp = dir.resolve("initrd.tmp");
        run(List.of("sh", "-c", "cd '" + root + "' && find . | cpio -o -H newc --quiet | gzip -1 > '" + tmp + "'"),
                "packing the initramfs (cpio)");
        Files.move(tmp, initrd, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void run(List<String> cmd, String what) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException(what + " failed: " + out.strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " was interrupted");
        }
    }
}
