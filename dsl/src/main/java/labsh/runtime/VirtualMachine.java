package labsh.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
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
 * <p>Boxed in (issue 12, finding 8), because the guest runs students' code as root:
 * <ul>
 * <li>qemu never runs as root: labsh opens the kernel, the initramfs and the share's directory,
 *     and setpriv(1) starts qemu as {@link #RUN_AS} with no capability (bounding set emptied) and
 *     no_new_privs; qemu reads the three through /proc/self/fd/N, so it needs no path to them
 *     (labsh's state directory is root's alone). qemu's own {@code -runas} is not used: qemu 7.2
 *     changes uid after loading its filter, and {@code elevateprivileges=deny} then kills it with
 *     SIGSYS (measured). Its seccomp filter is on with every optional group denied
 *     ({@code -sandbox on,...}: no setuid, no fork/exec, no scheduler or resource changes, no
 *     obsolete calls);</li>
 * <li>slirp with {@code restrict=on}: the guest reaches nothing outside, not even the host's
 *     loopback through 10.0.2.2 (no hostfwd: the ex5 lab wants the guest unreachable, and the
 *     guest's only output is its info file, over 9p);</li>
 * <li>the 9p share with {@code security_model=mapped-xattr} (mapped-file where the file system has
 *     no user xattrs): the guest's owners, modes and symlinks are kept in user.virtfs.* xattrs, and
 *     on the host every file it makes is a plain file of the qemu user, mode 0600: a setuid-root
 *     file or a symlink in the guest is neither on the host.
 *     The guest mounts it nosuid,nodev (labsh/vm/init). For the VM's lifetime the share directory
 *     belongs to the qemu user, so that it can create files there; its owner is restored after.</li>
 * </ul>
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
    private final ShareOwner share;

    /** The user qemu runs as (from /etc/passwd; started so by setpriv(1)). */
    public static final String RUN_AS = "nobody";
    /** qemu's seccomp filter, every optional group denied (qemu(1) -sandbox). */
    static final String SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    private VirtualMachine(Process qemu, Ledger.Entry processEntry, Ledger.Entry logEntry, Path console, ShareOwner share) {
        this.qemu = qemu;
        this.processEntry = processEntry;
        this.logEntry = logEntry;
        this.console = console;
        this.share = share;
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
        int[] ids = passwd(RUN_AS);
        // sh opens the three files as root and execs setpriv, which drops to RUN_AS and execs qemu:
        // one pid throughout (the ledger's), and qemu sees the files only as fds 3, 4 and 5
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "exec 3<\"$1\" 4<\"$2\" 5<\"$3\" && shift 3 && exec \"$@\"", "labsh-vm",
                image.kernel().toString(), image.initrd().toString(), shareDir.toAbsolutePath().toString(),
                // with KVM, the kvm group only (udev's /dev/kvm is root:kvm 0660)
                findSetpriv().toString(), "--reuid=" + ids[0], "--regid=" + ids[1], kvm ? "--groups=kvm" : "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
                qemuBinary.toString(),
                "-accel", kvm ? "kvm" : "tcg", "-m", "256", "-smp", "1",
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nodefaults",
                "-kernel", "/proc/self/fd/3", "-initrd", "/proc/self/fd/4",
                "-append", append.toString(),
                "-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0",
                "-fsdev", "local,id=f0,path=/proc/self/fd/5,security_model=" + securityModel(shareDir),
                "-device", "virtio-9p-pci,fsdev=f0,mount_tag=info",
                "-sandbox", SANDBOX));
        ShareOwner owner = ShareOwner.handTo(shareDir, ids);
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
            return new VirtualMachine(p, entry, logEntry, console, owner);
        } catch (IOException e) {
            owner.restore();
            throw new UncheckedIOException("cannot start qemu: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            owner.restore();
            throw e;
        }
    }

    /**
     * mapped-xattr where the share's file system takes user.* xattrs, else mapped-file (the same
     * mapping kept in .virtfs_metadata files, which clients skip as dot-names): tmpfs, where labsh's
     * state directory lives, takes user xattrs only since Linux 6.6.
     */
    static String securityModel(Path shareDir) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(shareDir, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        try {
            view.write("labsh.probe", java.nio.ByteBuffer.wrap(new byte[] {1}));
            view.delete("labsh.probe");
            return "mapped-xattr";
        } catch (IOException | UnsupportedOperationException e) {
            return "mapped-file";
        }
    }

    static Path findSetpriv() {
        for (String p : List.of("/usr/bin/setpriv", "/bin/setpriv")) if (Files.isExecutable(Path.of(p))) return Path.of(p);
        throw VmImage.missing("setpriv (package util-linux)");
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
        while (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
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
        if (!qemu.isAlive()) {
            processEntry.removed();
            share.restore();
        }
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

    /**
     * The share directory's owner, handed to the qemu user while the VM runs and given back after
     * (lchown(2): the directory itself, never a symlink's target).
     */
    static final class ShareOwner {
        private final Path dir;
        private final int uid, gid;
        private boolean restored;

        private ShareOwner(Path dir, int uid, int gid) {
            this.dir = dir;
            this.uid = uid;
            this.gid = gid;
        }

        static ShareOwner handTo(Path dir, int[] ids) {
            try {
                // the share changes owner while the VM runs: never a directory others share (/tmp, sticky) or /
                int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if ((mode & 01000) != 0 || dir.toAbsolutePath().normalize().getParent() == null) {
                    throw new IllegalArgumentException("the VM's share " + dir + " is a directory every user shares; give it one of the lab's own (workdir 'info')");
                }
                int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int gid = (Integer) Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dir, "unix:uid", ids[0], LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dir, "unix:gid", ids[1], LinkOption.NOFOLLOW_LINKS);
                return new ShareOwner(dir, uid, gid);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot give the VM's share " + dir + " to uid " + ids[0] + ": " + e.getMessage(), e);
            }
        }

        synchronized void restore() {
            if (restored) return;
            restored = true;
            try {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
                Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                // removed meanwhile: nothing to give back
            }
        }
    }

    /** uid and gid of {@code user} from /etc/passwd, the entry qemu's getpwnam(3) finds. */
    static int[] passwd(String user) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && f[0].equals(user)) return new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])};
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read user " + user + " from /etc/passwd: " + e.getMessage());
        }
        throw new IllegalStateException("the VM runs qemu as user " + user + ", which /etc/passwd does not have");
    }
}
