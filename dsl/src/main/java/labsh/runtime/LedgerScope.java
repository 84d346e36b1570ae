package labsh.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import labsh.kernel.Beneath;
import labsh.kernel.MountInfo;
import labsh.runtime.ex5.InfoFile;

/**
 * What {@code labsh clean} may believe of a ledger line read from disk: could labsh have made the
 * object it names? A line is only text (a bug, a disk error or an edit could have written it), so
 * before a remover runs, each path-like field is checked against where labsh really makes things:
 * <ul>
 * <li>{@code file}, {@code dir}, {@code container-dir}: beneath the state directory (compared by
 *     path components after normalising, never by string prefix; not the state directory itself,
 *     not its ledgers). Outside it labsh makes only three kinds: nsinit's control socket in the
 *     temp directory (a state path too long for sun_path), an ex5 server's info file (in the lab's
 *     info directory, which a lab may place anywhere) and an empty directory that becomes a mount
 *     point (a container's {@code at:}, an unshared proc's directory). Each is removed only if it is
 *     still that kind, and changed (ctime) after the labsh that recorded it started;</li>
 * <li>{@code mount}: beneath the state directory, or a container root labsh mounts at {@code at:}
 *     (an overlay whose layers lie in the state directory, or a read-only bind), with nothing
 *     mounted under it but its own /dev (a tmpfs, {@code ContainerDev}), which goes with it;
 *     never "/", never the state directory or a directory above it;</li>
 * <li>{@code cgroup}: only labsh's own parent group ({@code /sys/fs/cgroup[/CONTROLLER]/labsh}) or
 *     one group directly in it.</li>
 * </ul>
 * The running labsh's own unwind needs none of this: its entries are in its memory, not read back.
 */
public final class LedgerScope {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern SOCKET = Pattern.compile("nsinit-\\d+-\\d+\\.sock");
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private final Path state;
    private final FileTime ownerStarted;

    /**
     * @param stateDir   the state directory the ledger belongs to
     * @param ownerStart the recording labsh's start time, in clock ticks since boot (its ledger's name)
     */
    LedgerScope(Path stateDir, long ownerStart) {
        this.state = stateDir.toAbsolutePath().normalize();
        this.ownerStarted = FileTime.fromMillis(bootMillis() + ownerStart * 1000 / CLOCK_TICKS - 1000);
    }

    /** Null when labsh could have made what the line names, else why not (one clause). */
    String refusal(String kind, Map<String, String> f) {
        return switch (kind) {
            case "file" -> file(f.get("path"));
            case "dir", labsh.runtime.container.ContainerDir.KIND -> dir(f.get("path"));
            // one in another mount namespace goes with it (its remover leaves it alone): this table says nothing of it
            case "mount" -> f.get("mntns") != null && !f.get("mntns").equals(Long.toString(labsh.kernel.Namespaces.ofThisThread(labsh.kernel.NsType.MNT)))
                    ? null : mount(f.get("path"));
            case "cgroup" -> cgroup(f.get("path"));
            default -> null; // pids, IPC ids, links: their removers check the recorded identity
        };
    }

    /** True when {@code p} (absolute, normalised) lies beneath the state directory (never the directory itself). */
    boolean inside(Path p) {
        return p.startsWith(state) && !p.equals(state);
    }

    private String pathProblem(String recorded) {
        if (recorded == null || recorded.isEmpty()) return "no path";
        Path p = Path.of(recorded);
        if (!p.isAbsolute()) return "not an absolute path";
        if (!p.normalize().toString().equals(recorded)) return "not a normalised path ('.', '..' or '//' in it)";
        if (p.getParent() == null) return "it is /";
        if (state.startsWith(p)) return "it is the state directory " + state + " or above it";
        if (p.startsWith(state.resolve("ledgers"))) return "it is in the ledger directory, labsh's own record";
        return null;
    }

    private String file(String recorded) {
        String bad = pathProblem(recorded);
        if (bad != null) return bad;
        Path p = Path.of(recorded);
        if (inside(p)) return null;
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return null; // nothing to remove: reported as gone
        String made = changedSinceOwner(p);
        if (made != null) return "outside the state directory " + state + ", and " + made;
        boolean tmp = p.getParent().equals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize());
        if (tmp && SOCKET.matcher(p.getFileName().toString()).matches() && isSocket(p)) return null;
        if (isInfoFile(p)) return null;
        return "outside the state directory " + state + ", and neither nsinit's socket nor an ex5 info file";
    }

    private String dir(String recorded) {
        String bad = pathProblem(recorded);
        if (bad != null) return bad;
        Path p = Path.of(recorded);
        if (inside(p)) return null;
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return null;
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return "outside the state directory " + state + ", and not a directory";
        String made = changedSinceOwner(p);
        if (made != null) return "outside the state directory " + state + ", and " + made;
        try (var entries = Files.list(p)) {
            if (entries.findAny().isPresent()) {
                return "outside the state directory " + state + ", and not empty (labsh makes only empty mount points there)";
            }
        } catch (IOException e) {
            return "outside the state directory " + state + ", and unreadable (" + e.getMessage() + ")";
        }
        return null;
    }

    private String mount(String recorded) {
        String bad = pathProblem(recorded);
        if (bad != null) return bad;
        Path p = Path.of(recorded);
        if (inside(p)) return null;
        List<MountInfo> mounts = MountInfo.ofThisThread();
        MountInfo m = MountInfo.at(mounts, recorded);
        if (m == null) return null; // nothing mounted there here: reported as gone or left alone
        // a container's own /dev (ContainerDev: a tmpfs on ROOT/dev) goes with a root that is labsh's
        if (m.fsType().equals("tmpfs") && p.getFileName().toString().equals("dev") && MountInfo.at(mounts, p.getParent().toString()) != null) {
            String root = mount(p.getParent().toString());
            return root == null ? null : "outside the state directory " + state + ", and a tmpfs on the /dev of a mount that is not labsh's (" + root + ")";
        }
        for (MountInfo other : mounts) {
            if (other.mountPoint().equals(recorded + "/dev") && other.fsType().equals("tmpfs")) continue; // its own /dev, as above
            if (other.mountPoint().startsWith(recorded + "/")) {
                return "outside the state directory " + state + ", and " + other.mountPoint() + " is mounted under it (labsh's roots have nothing under them on the host)";
            }
        }
        if (m.fsType().equals("overlay")) {
            for (String opt : m.superOptions().split(",")) {
                if (opt.startsWith("upperdir=") || opt.startsWith("lowerdir=")) {
                    for (String layer : opt.substring(opt.indexOf('=') + 1).split(":")) {
                        if (!layer.isEmpty() && inside(Path.of(layer).toAbsolutePath().normalize())) return null;
                    }
                }
            }
            return "outside the state directory " + state + ", and an overlay whose layers are not labsh's";
        }
        if (isImageOfState(p)) return null; // a bind of an image labsh keeps (read-only, or killed before the remount)
        boolean readOnly = List.of(m.options().split(",")).contains("ro");
        if (readOnly && !m.root().equals("/")) return null; // a container's read-only bind of a directory image
        return "outside the state directory " + state + ", and not a container root labsh mounts (" + m.fsType() + ", "
                + (readOnly ? "the root of its file system" : "read-write") + ")";
    }

    private static String cgroup(String recorded) {
        if (recorded == null) return "no path";
        Path p = Path.of(recorded);
        if (!p.isAbsolute()) return "not an absolute path";
        if (!p.normalize().toString().equals(recorded)) return "not a normalised path ('.', '..' or '//' in it)";
        if (!p.startsWith(CGROUP_ROOT)) return "not under " + CGROUP_ROOT;
        Path rel = CGROUP_ROOT.relativize(p);
        int labsh = -1;
        for (int i = 0; i < rel.getNameCount() && i < 2; i++) if (rel.getName(i).toString().equals("labsh")) { labsh = i; break; }
        // v2: labsh[/NAME]; v1: CONTROLLER/labsh[/NAME]
        if (labsh < 0 || rel.getNameCount() > labsh + 2 || (labsh == 1 && !rel.getName(0).toString().matches("[a-z_,]+"))) {
            return "not labsh's parent group " + CGROUP_ROOT + "[/CONTROLLER]/labsh or a group directly in it";
        }
        if (rel.getNameCount() == labsh + 2 && !NAME.matcher(rel.getName(labsh + 1).toString()).matches()) return "not a group name labsh makes";
        return null;
    }

    /** True when the directory mounted at {@code mountPoint} is (same device and inode) an image in {@code <state>/images}. */
    private boolean isImageOfState(Path mountPoint) {
        try (var images = Files.list(state.resolve("images"))) {
            Object key = Files.readAttributes(mountPoint, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            return key != null && images.anyMatch(i -> {
                try {
                    return key.equals(Files.readAttributes(i, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    /** Null when {@code p}'s inode changed after the owner started (labsh could have made it), else why not. */
    private String changedSinceOwner(Path p) {
        try {
            FileTime ctime = (FileTime) Files.getAttribute(p, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
            if (ctime.compareTo(ownerStarted) < 0) return "older than the labsh that recorded it (changed " + ctime + ", it started " + ownerStarted + ")";
            return null;
        } catch (IOException e) {
            return "cannot be stat'ed (" + e.getMessage() + ")";
        }
    }

    private static boolean isSocket(Path p) {
        try {
            return ((int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000) == 0140000;
        } catch (IOException e) {
            return false;
        }
    }

    /** A regular file (not a symlink: opened O_NOFOLLOW beneath its directory) that parses as a seed 002 info file. */
    private static boolean isInfoFile(Path p) {
        try (Beneath dir = Beneath.open(p.getParent())) {
            InfoFile.parse(dir, p.getFileName().toString()); // openat2 O_NOFOLLOW beneath the directory; regular files only
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** sysconf(_SC_CLK_TCK): 100 on every Linux architecture labsh runs on (the USER_HZ of proc(5)). */
    static final long CLOCK_TICKS = 100;

    /** The boot time, from "btime" in /proc/stat (seconds since the epoch). */
    static long bootMillis() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("btime ")) return Long.parseLong(line.substring(6).trim()) * 1000;
            }
        } catch (IOException | NumberFormatException ignored) {
            // fall through: no time check is better than a wrong one
        }
        return 0;
    }
}
