package labsh.runtime.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import labsh.kernel.DetachedMount;
import labsh.kernel.Fifos;
import labsh.kernel.NsType;
import labsh.runtime.JoinedThread;
import labsh.runtime.Ledger;
import labsh.runtime.ProcFs;
import labsh.runtime.Removers;

/**
 * A FIFO (named pipe, fifo(7)) that processes in different containers share: the FIFO is made in
 * a directory on the host, and that directory is bind-mounted into each container's mount
 * namespace at the same path. Both containers then open one inode, so what one writes the other
 * reads; the pipe's data never touches the disk (pipe(7)), only its name lives in the directory.
 *
 * <p>The bind into a running container is made from a thread joined to the container's mount
 * namespace ({@link JoinedThread}: unshare(CLONE_FS), setns(CLONE_NEWNS)); the host directory
 * is opened as a detached mount before joining, because after pivot_root the host's paths do not
 * exist in there ({@link DetachedMount}). Ledger: the directory ({@code dir}, with the pids of the
 * containers it is bound into as {@code members}), the FIFO ({@code file}) and each bind
 * ({@code mount} in the container's namespace, gone with it).
 */
public final class SharedFifo implements AutoCloseable {
    private final String name;
    private final Path dir, fifo;
    private final Ledger.Entry dirEntry, fifoEntry;
    private final List<Bind> binds = new ArrayList<>();

    /** One bind of the directory into a container: which process (pid + start time) and its ledger entry. */
    private record Bind(int pid, long start, String target, Ledger.Entry entry) {}

    private SharedFifo(String name, Path dir, Path fifo, Ledger.Entry dirEntry, Ledger.Entry fifoEntry) {
        this.name = name;
        this.dir = dir;
        this.fifo = fifo;
        this.dirEntry = dirEntry;
        this.fifoEntry = fifoEntry;
    }

    /** Makes {@code dir} (which must not exist) and the FIFO {@code dir/name} in it, mode 0666. */
    public static SharedFifo create(String name, Path dir) {
        if (!name.matches("[A-Za-z0-9._-]+") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' cannot name a FIFO: use letters, digits, '.', '_' or '-'");
        }
        if (Files.exists(dir)) throw new IllegalArgumentException(dir + " already exists: a FIFO gets a fresh directory");
        Ledger.Entry d = Ledger.current().intend("dir", "path", dir.toString());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            d.removed();
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        Path fifo = dir.resolve(name);
        Ledger.Entry f = Ledger.current().intend("file", "path", fifo.toString());
        try {
            Fifos.make(fifo.toString(), 0666);
        } catch (RuntimeException e) {
            f.removed();
            throw e;
        }
        return new SharedFifo(name, dir, fifo, d, f);
    }

    /**
     * Bind-mounts the FIFO's directory at {@code target} inside the mount namespace of {@code pid}
     * (a container's PID 1); {@code target} is made there if missing.
     */
    public void bindInto(int pid, String target) {
        if (!target.startsWith("/")) throw new IllegalArgumentException("the FIFO's directory goes at an absolute path in the container, not '" + target + "'");
        long mntns = labsh.kernel.Namespaces.of(pid).get(NsType.MNT);
        long start = ProcFs.startTime(pid);
        try (DetachedMount tree = DetachedMount.cloneOf(dir.toString(), false);
             JoinedThread joined = JoinedThread.join("fifo-" + name + "-" + pid, pid, NsType.MNT)) {
            Ledger.Entry e = joined.call(() -> {
                try {
                    Files.createDirectories(Path.of(target));
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot create " + target + " in the container of pid " + pid + ": " + ex.getMessage(), ex);
                }
                return tree.attachAt(target, mntns);
            });
            binds.add(new Bind(pid, start, target, e));
        }
        // the directory's entry names the containers that can write into it: the ledger's unwind
        // and `labsh clean` stop them before they delete it (Removers), as close() unbinds first
        dirEntry.created("members", Removers.membersField(binds.stream().map(b -> new long[] {b.pid(), b.start()}).toList()));
    }

    public String name() { return name; }

    /** The host directory that holds the FIFO. */
    public Path dir() { return dir; }

    /** The FIFO's path on the host. */
    public Path path() { return fifo; }

    /** The pids of the containers it is bound into. */
    public List<Integer> members() { return binds.stream().map(Bind::pid).toList(); }

    /**
     * Unmounts the binds from the containers still running (a mount in a container that ended
     * went with its namespace), then deletes the FIFO and its directory through descriptors
     * ({@link Removers#deletePath}): a container may still hold the directory open (a shell whose
     * cwd was /shared), and whatever it swapped in there (a symlink for a subdirectory) is removed
     * as itself, never followed onto the host.
     */
    @Override
    public void close() {
        for (Bind b : binds) {
            if (ProcFs.isSameProcess(b.pid(), b.start())) {
                try (JoinedThread joined = JoinedThread.join("fifo-" + name + "-" + b.pid(), b.pid(), NsType.MNT)) {
                    joined.run(() -> DetachedMount.detachAt(b.target()));
                }
            }
            b.entry().removed();
        }
        binds.clear();
        Removers.deletePath(fifo.toString());
        fifoEntry.removed();
        Removers.deletePath(dir.toString());
        dirEntry.removed();
    }
}
