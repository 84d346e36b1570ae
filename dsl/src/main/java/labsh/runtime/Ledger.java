package labsh.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The on-disk record of every kernel object this labsh process creates. An entry is written
 * <em>before</em> the object is created ({@link #intend}), completed once its id is known
 * ({@link Entry#created}) and closed when it is gone ({@link Entry#removed}). At exit, on Ctrl-C
 * and on exceptions {@link #unwind()} removes what is still open, newest first; after a
 * {@code kill -9}, {@code labsh clean} reads the file and does the same ({@link Cleaner}).
 *
 * <p>File format, one line per event, so that a write cut short by a kill loses one line at most:
 * <pre>
 *   7 + shm key=0x6501a0c2 ipcns=4026531839     (about to create)
 *   7 = id=32769                                (created; fields added)
 *   7 -                                         (removed)
 * </pre>
 * Values are escaped ({@code %20} for a space) so that paths with spaces survive.
 */
public final class Ledger {
    /** Where ledgers live; {@code LABSH_STATE} moves it (tests, non-root runs). */
    public static Path stateDir() {
        String env = System.getenv("LABSH_STATE");
        Path dir = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("labsh.state", "/run/labsh"));
        // whoever asks first, the directory is made root's only (0700): its subdirectories may be made before any ledger
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (IOException e) {
                // reported by whoever writes there first, with its own words
            }
        }
        return dir;
    }

    private static Ledger current;

    /** This process's ledger, created on first use (no file is written until something is recorded). */
    public static synchronized Ledger current() {
        if (current == null) {
            int pid = (int) ProcessHandle.current().pid();
            current = new Ledger(stateDir().resolve("ledgers").resolve(pid + "-" + ProcFs.startTime(pid) + ".ledger"));
            Runtime.getRuntime().addShutdownHook(new Thread(current::unwindQuietly, "labsh-ledger-unwind"));
            current.openFile(); // now, from this thread: see append()
        }
        return current;
    }

    private final Path file;
    private FileChannel channel;
    private final List<Entry> open = new ArrayList<>();
    private int nextSeq = 1;

    Ledger(Path file) {
        this.file = file;
    }

    public Path file() { return file; }

    /** Records that an object of {@code kind} is about to be created; {@code kv} are name, value pairs. */
    public synchronized Entry intend(String kind, String... kv) {
        Entry e = new Entry(this, nextSeq++, kind, pairs(kv));
        append(e.seq + " + " + kind + format(e.fields));
        open.add(e);
        return e;
    }

    /** Entries not yet removed, oldest first. */
    public synchronized List<Entry> openEntries() {
        return List.copyOf(open);
    }

    /**
     * Removes every open entry, newest first. Each failure is collected and the rest still run,
     * so one stuck object never keeps the others alive. Returns the failures, one line each.
     */
    public List<String> unwind() {
        List<Entry> todo;
        synchronized (this) {
            todo = new ArrayList<>(open);
        }
        Collections.reverse(todo);
        List<String> failures = new ArrayList<>();
        for (Entry e : todo) {
            try {
                Removers.remove(e.kind, e.fields);
                e.removed();
            } catch (RuntimeException ex) {
                failures.add(e.kind + format(e.fields) + ": " + ex.getMessage());
            }
        }
        synchronized (this) {
            if (open.isEmpty()) deleteFile();
        }
        return failures;
    }

    private void unwindQuietly() {
        for (String f : unwind()) System.err.println("labsh: could not remove " + f);
    }

    private void deleteFile() {
        try {
            if (channel != null) channel.close();
            channel = null;
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a ledger left behind is read and emptied by the next `labsh clean`
        }
    }

    private synchronized void openFile() {
        try {
            if (channel == null) {
                makePrivate(file.getParent());
                if (!Files.isDirectory(file.getParent())) Files.createDirectories(file.getParent());
                channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
        } catch (IOException e) {
            if (!labsh.kernel.Privilege.isRoot()) {
                // the first object a lab creates lands here: say what is missing, not which file
                throw new labsh.kernel.Privilege.PrivilegeException("creating namespaces, mounts and IPC objects needs root"
                        + " (CAP_SYS_ADMIN, and write access to " + file.getParent().getParent() + " for the ledger): run labsh as root, e.g. sudo labsh ...");
            }
            throw new UncheckedIOException("cannot write the ledger " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The state directory and the ledger directory are root's alone (0700), made so and, when they
     * exist from an older labsh, changed to it. A container's root and upper directory, a VM's share
     * and the FIFOs live below: a setuid-root file a container wrote there must not be reachable by
     * an ordinary host user (path traversal needs x on every directory, path_resolution(7)), and the
     * ledgers say what `labsh clean` removes, so no one else may write them.
     *
     * <p>Only labsh's own layout, {@code STATE/ledgers}: a ledger file elsewhere (a spec's temp
     * directory) changes no mode, and a shared directory (the sticky bit: /tmp) or "/" never loses
     * its mode, whatever LABSH_STATE names: an earlier version made /tmp 0700 that way.
     */
    public static void makePrivate(Path ledgerDir) throws IOException {
        Path dir = ledgerDir.toAbsolutePath().normalize();
        if (dir.getFileName() == null || !dir.getFileName().toString().equals("ledgers")) return;
        // an existing state directory is labsh's only if it already holds the ledgers (LABSH_STATE=/run must not close /run)
        if (!Files.exists(dir.getParent()) || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) makeDirectoryPrivate(dir.getParent());
        makeDirectoryPrivate(dir);
    }

    private static void makeDirectoryPrivate(Path dir) throws IOException {
        if (dir == null || dir.getParent() == null) return;
        if (Files.isSymbolicLink(dir)) throw new IOException(dir + " is a symlink, not labsh's directory");
        if (!Files.isDirectory(dir)) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
        int mode = (int) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 01000) != 0) return; // sticky: a directory shared by every user, not labsh's to close
        if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE)) Files.setPosixFilePermissions(dir, PRIVATE);
    }

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    synchronized void append(String line) {
        try {
            // Opened once and kept: a path is resolved in the calling thread's mount namespace, and
            // a thread joined to a container's would otherwise write the ledger under its /run.
            openFile();
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) channel.write(b);
        } catch (IOException e) {
            // Without the record nothing could clean up after a crash: refuse to create the object.
            throw new UncheckedIOException("cannot write the ledger " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized void closed(Entry e) {
        if (open.remove(e)) append(e.seq + " -");
    }

    static Map<String, String> pairs(String... kv) {
        if (kv.length % 2 != 0) throw new IllegalArgumentException("ledger fields come in name, value pairs");
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static String format(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(' ').append(k).append('=').append(escape(v)));
        return sb.toString();
    }

    static String escape(String v) {
        return v.replace("%", "%25").replace(" ", "%20").replace("\n", "%0A").replace("=", "%3D");
    }

    static String unescape(String v) {
        return v.replace("%3D", "=").replace("%0A", "\n").replace("%20", " ").replace("%25", "%");
    }

    /** One recorded object. */
    public static final class Entry {
        private final Ledger ledger;
        final int seq;
        final String kind;
        final Map<String, String> fields;

        Entry(Ledger ledger, int seq, String kind, Map<String, String> fields) {
            this.ledger = ledger;
            this.seq = seq;
            this.kind = kind;
            this.fields = fields;
        }

        public String kind() { return kind; }

        public synchronized Map<String, String> fields() { return Map.copyOf(fields); }

        /** The object now exists; {@code kv} adds what was learnt on creation (its id, its pid). */
        public Entry created(String... kv) {
            Map<String, String> more = pairs(kv);
            synchronized (this) {
                fields.putAll(more);
            }
            ledger.append(seq + " =" + format(more));
            return this;
        }

        /** The object is gone (removed by its owner or found gone). */
        public void removed() {
            ledger.closed(this);
        }

        @Override
        public String toString() { return kind + format(fields); }
    }
}
