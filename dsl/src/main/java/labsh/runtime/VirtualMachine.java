package labsh.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real virtual machine: qemu-system-x86_64 booting the distribution's kernel with labsh's
 * initramfs ({@link VmImage}), one directory of the host shared into it over 9p (virtio-9p, tag
 * {@code info}, mounted at /info), user-mode networking (the guest is 10.0.2.15 behind qemu's NAT,
 * which the host cannot reach) and its serial console in a log file.
 *
 * <p>Acceleration: software emulation (TCG) by default, because nested KVM inside a cloud VM may
 * hang at boot instead of failing (seen on these machines: "failed to set MSR 0x10a"); set
 * {@code LABSH_VM_ACCEL=kvm} where KVM works. TCG boots the guest to its server in about 7 s here.
 */
public final class VirtualMachine implements AutoCloseable {
    private final Process qemu;
    private final Ledger.Entry processEntry;
    private final Ledger.Entry logEntry;
    private final Path console;

    private VirtualMachine(Process qemu, Ledger.Entry processEntry, Ledger.Entry logEntry, Path console) {
        this.qemu = qemu;
        this.processEntry = processEntry;
        this.logEntry = logEntry;
        this.console = console;
    }

    /**
     * Boots the VM. {@code guestArgs} go on the kernel command line as {@code labsh.KEY=VALUE}
     * (read by the guest's /init); values may not contain spaces.
     */
    public static VirtualMachine start(VmImage image, Path shareDir, Map<String, String> guestArgs) {
        Path qemuBinary = findQemu();
        if (!Files.isDirectory(shareDir)) throw new IllegalArgumentException("the VM's shared directory " + shareDir + " does not exist");
        StringBuilder append = new StringBuilder("console=ttyS0 quiet panic=-1");
        guestArgs.forEach((k, v) -> {
            if (v.isEmpty() || v.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("VM argument " + k + "='" + v + "' must be one word (it travels on the kernel command line)");
            }
            append.append(" labsh.").append(k).append('=').append(v);
        });
        boolean kvm = "kvm".equals(System.getenv("LABSH_VM_ACCEL"));
        List<String> cmd = new ArrayList<>(List.of(qemuBinary.toString(),
                "-accel", kvm ? "kvm" : "tcg", "-m", "256", "-smp", "1",
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nodefaults",
                "-kernel", image.kernel().toString(), "-initrd", image.initrd().toString(),
                "-append", append.toString(),
                "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0",
                "-fsdev", "local,id=f0,path=" + shareDir.toAbsolutePath() + ",security_model=none",
                "-device", "virtio-9p-pci,fsdev=f0,mount_tag=info"));
        try {
            Path logs = Ledger.stateDir().resolve("vm/logs");
            Files.createDirectories(logs);
            Path console = Files.createTempFile(logs, "console-", ".log");
            Ledger.Entry logEntry = Ledger.current().intend("file", "path", console.toString());
            Ledger.Entry entry = Ledger.current().intend("process", "what", "qemu");
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(console.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            } catch (IOException e) {
                entry.removed();
                throw e;
            }
            int pid = (int) p.pid();
            entry.created("pid", Integer.toString(pid), "start", Long.toString(ProcFs.startTime(pid)));
            return new VirtualMachine(p, entry, logEntry, console);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start qemu: " + e.getMessage(), e);
        }
    }

    static Path findQemu() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "qemu-system-x86_64");
            if (Files.isExecutable(p)) return p;
        }
        throw VmImage.missing("qemu-system-x86_64 (package qemu-system-x86)");
    }

    /** True when qemu and a kernel image are installed, so a VM can be booted here ({@code LABSH_VM=off}: false). */
    public static boolean available() {
        // to try a lab's stand-in path: LABSH_VM=off, or -Dlabsh.vm=off
        if ("off".equals(System.getenv("LABSH_VM")) || "off".equals(System.getProperty("labsh.vm"))) return false;
        try {
            findQemu();
            VmImage.newestKernel();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    public long pid() { return qemu.pid(); }

    public boolean isRunning() { return qemu.isAlive(); }

    /** Waits until {@code file} exists (the guest writes it through the 9p share). */
    public void waitForFile(Path file, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            if (!qemu.isAlive()) {
                throw new IllegalStateException("the VM stopped before writing " + file.getFileName() + "; its console ends: " + consoleTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the VM did not write " + file.getFileName() + " within " + timeout.toSeconds() + " s; its console ends: " + consoleTail());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the VM");
            }
        }
    }

    /** The guest's serial console so far. */
    public String console() {
        try {
            return Files.readString(console).replace("\r", "");
        } catch (IOException e) {
            return "";
        }
    }

    private String consoleTail() {
        List<String> lines = console().lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "(nothing)" : lines.get(lines.size() - 1).strip();
    }

    /** Waits up to {@code grace} for the guest to power itself off, then ends qemu. Idempotent. */
    public void stop(Duration grace) {
        try {
            if (!qemu.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                qemu.destroyForcibly();
                qemu.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            qemu.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (!qemu.isAlive()) processEntry.removed();
    }

    @Override
    public void close() {
        stop(Duration.ZERO);
        try {
            Files.deleteIfExists(console);
            logEntry.removed();
        } catch (IOException ignored) {
            // left for the ledger's unwind
        }
    }
}
