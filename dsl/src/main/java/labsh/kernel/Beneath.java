package labsh.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Memory;

/**
 * A directory held open by descriptor, and file work that can never leave it: every name is
 * resolved by openat2(2) with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS (or RESOLVE_IN_ROOT for a
 * container's root), and every removal is unlinkat(2) under a directory descriptor.
 *
 * <p>Why: a path string is looked up again at each use, so a program that can write below the
 * directory (a container, a VM's 9p share) can swap a subdirectory for a symlink between labsh's
 * check and its unlink, and labsh would delete a host file (the classic cleanup race; runc's
 * CVE-2019-19921 and CVE-2021-30465 are of this class). A descriptor names the object itself.
 */
public final class Beneath implements AutoCloseable {
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000,
            O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;
    public static final long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
            RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    static final int AT_REMOVEDIR = 0x200, ENOTDIR = 20, EISDIR = 21, ENOTEMPTY = 39, ELOOP = 40;

    /**
     * Names stay beneath the directory, no symlink is followed on the way, and no mount point is
     * crossed: a tree labsh deletes never reaches into a bind or a tmpfs mounted below it (EXDEV).
     */
    public static final long STRICT = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    /** Names are resolved as if the directory were "/": a container's root, whose absolute symlinks mean its own files. */
    public static final long AS_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

    private final int fd;
    private final String path;
    private final long resolve;

    private Beneath(int fd, String path, long resolve) {
        this.fd = fd;
        this.path = path;
        this.resolve = resolve;
    }

    /** Opens {@code dir} (which must be a directory and not a symlink) for work beneath it, no symlinks followed. */
    public static Beneath open(Path dir) {
        return open(dir, STRICT);
    }

    /** Opens {@code dir} for work with {@code resolve} flags ({@link #STRICT} or {@link #AS_ROOT}). */
    public static Beneath open(Path dir, long resolve) {
        String p = dir.toAbsolutePath().normalize().toString();
        int fd = Syscall.call("open", Syscall.quote(p) + ", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC",
                () -> Libc.open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0));
        return new Beneath(fd, p, resolve);
    }

    /** The directory's path, as given (for messages only: all work goes through the descriptor). */
    public Path path() { return Path.of(path); }

    /**
     * openat2(2) of {@code relative} beneath this directory; a symlink anywhere on the way, or a
     * ".." that would climb out, fails with ELOOP or EXDEV instead of being followed.
     */
    public int openFd(String relative, int flags, int mode) {
        String rel = relativeName(relative);
        Memory how = new Memory(24); // struct open_how { u64 flags; u64 mode; u64 resolve; }
        how.setLong(0, (long) flags | O_CLOEXEC);
        how.setLong(8, (flags & O_CREAT) != 0 ? mode : 0);
        how.setLong(16, resolve);
        return Syscall.call("openat2", () -> fd + " " + Syscall.quote(path) + ", " + Syscall.quote(rel) + ", {flags=0" + Integer.toOctalString(flags)
                        + ", resolve=0x" + Long.toHexString(resolve) + "}",
                () -> (int) Libc.syscall(Libc.SYS_OPENAT2, fd, rel, how, 24L));
    }

    /** A subdirectory as a Beneath of its own, with the same resolve rules. */
    public Beneath openDirectory(String relative) {
        return new Beneath(openFd(relative, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0), path + "/" + relativeName(relative), resolve);
    }

    /** The whole content of a regular file beneath this directory (O_NOFOLLOW: never a symlink's target). */
    public byte[] read(String relative, int maxBytes) {
        int f = openFd(relative, O_RDONLY | O_NOFOLLOW, 0);
        try {
            Memory buf = new Memory(Math.max(1, maxBytes));
            long got = 0, n;
            while (got < maxBytes && (n = Libc.read(f, buf.share(got), maxBytes - got)) > 0) got += n;
            return buf.getByteArray(0, (int) got);
        } finally {
            Libc.close(f);
        }
    }

    /** Makes every missing directory of {@code relative} beneath this one (mkdir -p, one mkdirat(2) per name). */
    public void mkdirs(String relative, int mode) {
        String rel = relativeName(relative);
        int dir = openFd(".", O_PATH | O_DIRECTORY, 0);
        try {
            for (String name : rel.split("/")) {
                if (name.isEmpty() || name.equals(".")) continue;
                int at = dir;
                try {
                    Syscall.call("mkdirat", at + ", " + Syscall.quote(name) + ", 0" + Integer.toOctalString(mode), () -> Libc.mkdirat(at, name, mode));
                } catch (KernelException e) {
                    if (!e.is(Errno.EEXIST)) throw e;
                }
                Beneath step = new Beneath(at, path, resolve);
                int next = step.openFd(name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
                Libc.close(at);
                dir = next;
            }
        } finally {
            Libc.close(dir);
        }
    }

    /**
     * Removes {@code relative} beneath this directory, and everything under it if it is a
     * directory (rm -r). Each name is unlinked under its parent's descriptor, and a directory is
     * entered only through openat2(O_NOFOLLOW): a symlink put in place of a directory is removed as
     * the link it is, and its target is never touched. Returns how many names were removed.
     */
    public int deleteTree(String relative) {
        String rel = relativeName(relative);
        int slash = rel.lastIndexOf('/');
        if (slash < 0) return deleteEntry(rel);
        try (Beneath parent = openDirectory(rel.substring(0, slash))) {
            return parent.deleteEntry(rel.substring(slash + 1));
        }
    }

    /** Empties this directory (the directory itself stays). */
    public int deleteContents() {
        int n = 0;
        for (String name : list()) n += deleteEntry(name);
        return n;
    }

    /** The names in this directory, read through its descriptor (never by path). */
    public List<String> list() {
        List<String> names = new ArrayList<>();
        // /proc/thread-self/fd/N is the open directory itself, not a path looked up again
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/thread-self/fd/" + fd))) {
            for (Path p : ds) names.add(p.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + path + ": " + e.getMessage(), e);
        }
        return names;
    }

    private int deleteEntry(String name) {
        try {
            Syscall.call("unlinkat", fd + ", " + Syscall.quote(name) + ", 0", () -> Libc.unlinkat(fd, name, 0));
            return 1;
        } catch (KernelException e) {
            if (e.is(Errno.ENOENT)) return 0;
            if (!e.is(EISDIR) && !e.is(Errno.EPERM)) throw e; // unlink(2) of a directory: EISDIR (Linux), EPERM (POSIX)
        }
        int n;
        try (Beneath sub = openDirectory(name)) {
            n = sub.deleteContents();
        }
        Syscall.call("unlinkat", fd + ", " + Syscall.quote(name) + ", AT_REMOVEDIR", () -> Libc.unlinkat(fd, name, AT_REMOVEDIR));
        return n + 1;
    }

    private static String relativeName(String relative) {
        if (relative == null || relative.isEmpty()) throw new IllegalArgumentException("an empty name");
        if (relative.indexOf('\0') >= 0) throw new IllegalArgumentException("a name with a NUL byte");
        return relative;
    }

    @Override
    public void close() {
        Libc.close(fd);
    }

    @Override
    public String toString() { return path; }
}
