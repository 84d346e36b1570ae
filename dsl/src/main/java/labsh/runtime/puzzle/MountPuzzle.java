package labsh.runtime.puzzle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import labsh.kernel.KernelException;
import labsh.kernel.MountInfo;
import labsh.kernel.Mounts;
import labsh.kernel.Namespaces;
import labsh.kernel.NsType;
import labsh.kernel.Trace;
import labsh.runtime.JoinedThread;
import labsh.runtime.Ledger;

/**
 * Seed 004, problem 2: the four mount commands, done for real, in a throwaway mount namespace of one
 * thread of this JVM ({@link JoinedThread#ownMountNamespace}), on a scratch tree so that the host's
 * /tmp is never touched: {@code /smt} is {@code SCRATCH/smt} (holding one empty directory, 1) and
 * {@code /tmp} is {@code SCRATCH/tmp}. SCRATCH itself is a tmpfs mounted in that namespace only,
 * made shared (as / is on a systemd host: the "shared parent" variant) or private.
 *
 * <p>Everything here dies with the thread: when {@link #close()} ends it, or the JVM is killed, the
 * kernel frees the namespace and every mount in it. {@link #close()} also unmounts them first, so
 * that the ledger's entries are closed by what the kernel shows.
 */
public final class MountPuzzle implements AutoCloseable {
    /** A command and what the kernel answered: null when it succeeded, else the failed call. */
    public record Outcome(MountCommand command, String call, KernelException failure) {
        public boolean ok() { return failure == null; }

        /** The command as typed, then the mount(2) call it made with the kernel's answer, as the trace writes it. */
        @Override
        public String toString() {
            return "$ " + command + "\n  " + call;
        }
    }

    private final Path scratch;
    private final boolean sharedParent;
    private final JoinedThread ns;
    private final List<Outcome> outcomes = new ArrayList<>();

    private MountPuzzle(Path scratch, boolean sharedParent, JoinedThread ns) {
        this.scratch = scratch;
        this.sharedParent = sharedParent;
        this.ns = ns;
    }

    /**
     * Makes the thread and its namespace, mounts a tmpfs at {@code scratch} (an existing empty
     * directory) there, makes it shared or private, and creates smt/1 and tmp in it.
     */
    public static MountPuzzle open(Path scratch, boolean sharedParent) {
        if (!Files.isDirectory(scratch)) throw new IllegalArgumentException("mount puzzle: no directory at " + scratch);
        Path dir = scratch.toAbsolutePath().normalize();
        JoinedThread ns = JoinedThread.ownMountNamespace("mount-puzzle");
        MountPuzzle p = new MountPuzzle(dir, sharedParent, ns);
        try {
            ns.run(() -> {
                Mounts.mount("labsh-puzzle", dir.toString(), "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, "size=1m,mode=0755");
                if (sharedParent) Mounts.makeShared(dir.toString(), false);
                else Mounts.makePrivate(dir.toString(), false);
                try {
                    Files.createDirectories(dir.resolve("smt/1"));
                    Files.createDirectories(dir.resolve("tmp"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    public boolean sharedParent() { return sharedParent; }

    public Path scratch() { return scratch; }

    /** The thread whose namespace holds the puzzle: /proc/PID/task/TID/mountinfo is the kernel's view of it. */
    public int tid() { return ns.tid(); }

    /** The inode of the puzzle's mount namespace (as lsns prints it). */
    public long mountNamespace() { return ns.call(() -> Namespaces.ofThisThread(NsType.MNT)); }

    /**
     * Runs one command ({@code --bind /smt /tmp}) in the namespace. A refusal by the kernel is an
     * outcome, as it is in a shell; a command that is not the puzzle's is an IllegalArgumentException.
     */
    public Outcome mount(String commandLine) {
        MountCommand c = MountCommand.parse(commandLine);
        String source = c.source() == null ? null : hostPath(c.source());
        String target = hostPath(c.target());
        List<Trace.Call> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        KernelException failure = null;
        try {
            ns.run(() -> traced(calls, () -> apply(c.option(), source, target)));
        } catch (KernelException e) {
            failure = e;
        }
        String call = calls.isEmpty() ? c.toString() : calls.get(calls.size() - 1).toString();
        Outcome o = new Outcome(c, call, failure);
        outcomes.add(o);
        return o;
    }

    /** Runs {@code body} on this thread, keeping the mount(2) calls it makes as the trace writes them. */
    private static void traced(List<Trace.Call> calls, Runnable body) {
        long me = Thread.currentThread().getId();
        AutoCloseable listening = Trace.listen(t -> { if (t.tid() == me && t.name().equals("mount")) calls.add(t); });
        try {
            body.run();
        } finally {
            try {
                listening.close();
            } catch (Exception ignored) {
                // removing a listener from a list cannot fail
            }
        }
    }

    private static void apply(String option, String source, String target) {
        switch (option) {
            case "--bind" -> Mounts.bind(source, target, false);
            case "--rbind" -> Mounts.bind(source, target, true);
            case "--move" -> Mounts.move(source, target);
            case "--make-shared", "--make-rshared" -> Mounts.makeShared(target, option.contains("-r"));
            case "--make-private", "--make-rprivate" -> Mounts.makePrivate(target, option.contains("-rp"));
            case "--make-slave", "--make-rslave" -> Mounts.makeSlave(target, option.contains("-rs"));
            case "--make-unbindable" -> Mounts.makeUnbindable(target, false);
            default -> throw new IllegalArgumentException("mount: unknown option " + option);
        }
    }

    public List<Outcome> outcomes() { return List.copyOf(outcomes); }

    /** /smt, /smt/1, /tmp ... as a path in the scratch tree; anything else is refused (the host is never touched). */
    public String hostPath(String puzzlePath) {
        Path p = Path.of(puzzlePath).normalize();
        if (!puzzlePath.startsWith("/") || !(p.startsWith("/smt") || p.startsWith("/tmp"))) {
            throw new IllegalArgumentException("mount: " + puzzlePath + " is not in the puzzle: only /smt and /tmp"
                    + " (and what is under them) exist, mapped onto the scratch tree");
        }
        return scratch.resolve(p.toString().substring(1)).toString();
    }

    /** The reverse of {@link #hostPath}: SCRATCH/smt/1 reads /smt/1, SCRATCH itself "SCRATCH". */
    public String puzzlePath(String hostPath) {
        if (hostPath.equals(scratch.toString())) return "SCRATCH";
        if (hostPath.startsWith(scratch + "/")) return hostPath.substring(scratch.toString().length());
        return hostPath;
    }

    /** {@code tree /smt} (or another puzzle directory) as the namespace shows it, read on its thread. */
    public String tree(String puzzleDir) {
        String dir = hostPath(puzzleDir);
        return ns.call(() -> TreeListing.of(Path.of(dir), puzzleDir));
    }

    /** The mounts at or under SCRATCH, from the kernel: /proc/PID/task/TID/mountinfo of the puzzle's thread. */
    public List<MountInfo> mounts() {
        String self = ProcessHandle.current().pid() + "/task/" + ns.tid();
        List<MountInfo> under = new ArrayList<>();
        for (MountInfo m : MountInfo.of(self)) {
            if (m.mountPoint().equals(scratch.toString()) || m.mountPoint().startsWith(scratch + "/")) under.add(m);
        }
        return under;
    }

    /** The mount at a puzzle path (the visible one), or null. */
    public MountInfo mountAt(String puzzlePath) { return MountInfo.at(mounts(), hostPath(puzzlePath)); }

    /** The puzzle's mounts as findmnt draws them, with their propagation, named as the puzzle names them. */
    public String mountTree() {
        List<MountInfo> named = new ArrayList<>();
        for (MountInfo m : mounts()) {
            named.add(new MountInfo(m.id(), m.parentId(), m.majorMinor(), m.root(), puzzlePath(m.mountPoint()), m.options(),
                    m.optionalFields(), m.fsType(), m.source(), m.superOptions()));
        }
        return MountInfo.tree(named);
    }

    /**
     * Unmounts every mount under SCRATCH, leaves first (each lazily: umount2 MNT_DETACH), then ends the
     * thread, and with it the namespace.
     */
    @Override
    public void close() {
        String mntns = null;
        try {
            if (ns.isAlive()) {
                mntns = Long.toString(mountNamespace());
                ns.run(this::unmountAll);
            }
        } finally {
            ns.close();
        }
        awaitTaskGone();
        if (mntns != null) closeLedgerEntries(mntns);
    }

    /**
     * Thread.join returns once Java is done with the thread; the kernel task (and with it the
     * namespace's last reference) goes a moment later. Wait for /proc/self/task/TID to go, 5 s at most.
     */
    private void awaitTaskGone() {
        Path task = Path.of("/proc/self/task/" + ns.tid());
        for (int i = 0; i < 500 && Files.exists(task); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The ledger knows a mount by the path it was made at; the one --move carried from /tmp to
     * /smt/1 is no longer there, so its entry stays open after the unmounts. The thread has ended
     * and the kernel has freed its namespace with every mount in it: those entries are done.
     */
    private void closeLedgerEntries(String mntns) {
        for (Ledger.Entry e : Ledger.current().openEntries()) {
            java.util.Map<String, String> f = e.fields();
            if (e.kind().equals("mount") && mntns.equals(f.get("mntns")) && f.getOrDefault("path", "").startsWith(scratch.toString())) {
                e.removed();
            }
        }
    }

    private void unmountAll() {
        for (int round = 0; round < 64; round++) {
            List<MountInfo> left = mounts();
            if (left.isEmpty()) return;
            MountInfo leaf = left.get(left.size() - 1);
            for (MountInfo m : left) {
                if (left.stream().noneMatch(c -> c.parentId() == m.id())) leaf = m;
            }
            Mounts.umount(leaf.mountPoint(), true);
        }
        throw new IllegalStateException("mounts still under " + scratch + " after 64 unmounts: " + mounts());
    }
}
