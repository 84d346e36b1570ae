package labsh.runtime.ex5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.regex.Pattern;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

import labsh.kernel.Beneath;
import labsh.kernel.Errno;
import labsh.kernel.KernelException;
import labsh.kernel.Libc;

/**
 * A server's info file (seed 002): four lines, IP, port, shm_pathname, proj_id. Parsing is strict
 * and each way a file can be wrong gets one sentence naming the file ({@link BadInfoFile}): a
 * client must survive whatever lies in the directory.
 */
public record InfoFile(String ip, int port, String shmPath, int projId) {
    /** More than this is not an info file: read no further (a 1 MB file of junk costs 4 KiB). */
    static final int MAX_BYTES = 4096;
    private static final int O_NONBLOCK = 04000, ELOOP = 40, EXDEV = 18;
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]+(%[\\w.]+)?");

    /** An info file that cannot be used; the message names the file and says why. */
    public static final class BadInfoFile extends RuntimeException {
        public BadInfoFile(Path file, String why) {
            super(file.getFileName() + ": " + why);
        }
    }

    public static InfoFile parse(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try (Beneath beneath = Beneath.open(dir)) {
            return parse(beneath, file.getFileName().toString());
        } catch (KernelException e) {
            throw new BadInfoFile(file, "cannot be read: its directory cannot be opened (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads {@code name} in {@code dir} and parses it. The directory is one a container or a VM can
     * write, so the file is opened by openat2(2) beneath it with O_NOFOLLOW: a symlink planted there
     * (to /etc/shadow, say) fails with ELOOP and its target is never opened; O_NONBLOCK keeps a
     * planted FIFO from hanging the client (fifo(7)); and only a regular file is read.
     */
    public static InfoFile parse(Beneath dir, String name) {
        return parse(Path.of(name), read(dir, name, MAX_BYTES + 1));
    }

    /** At most {@code max} bytes of the regular file {@code name} beneath {@code dir}; never through a symlink. */
    public static byte[] read(Beneath dir, String name, int max) {
        Path file = Path.of(name);
        int fd;
        try {
            fd = dir.openFd(name, Beneath.O_RDONLY | Beneath.O_NOFOLLOW | O_NONBLOCK, 0);
        } catch (KernelException e) {
            if (e.is(ELOOP)) throw new BadInfoFile(file, "is a symbolic link, not an info file (not followed: openat2 O_NOFOLLOW gave ELOOP)");
            if (e.is(EXDEV)) throw new BadInfoFile(file, "leads out of the info directory (openat2 RESOLVE_BENEATH gave EXDEV)");
            throw new BadInfoFile(file, "cannot be read (" + e.getMessage() + ")");
        }
        try {
            // the open descriptor's own type (stat(2) through /proc/thread-self/fd: the object, not a name looked up again)
            BasicFileAttributes a = Files.readAttributes(Path.of("/proc/thread-self/fd/" + fd), BasicFileAttributes.class);
            if (a.isDirectory()) throw new BadInfoFile(file, "is a directory, not an info file");
            if (!a.isRegularFile()) throw new BadInfoFile(file, "is not a regular file (a FIFO, socket or device), not an info file");
            Memory buf = new Memory(max);
            long got = 0, n;
            while (got < max && (n = Libc.read(fd, buf.share(got), max - got)) > 0) got += n;
            return buf.getByteArray(0, (int) got);
        } catch (IOException e) {
            throw new BadInfoFile(file, "cannot be read (" + e.getMessage() + ")");
        } catch (LastErrorException e) {
            throw new BadInfoFile(file, "cannot be read (read: " + Errno.name(e.getErrorCode()) + ")");
        } finally {
            Libc.close(fd);
        }
    }

    /** Parses the bytes of an info file; {@code file} names it in messages. */
    static InfoFile parse(Path file, byte[] bytes) {
        if (bytes.length == 0) throw new BadInfoFile(file, "is empty (expected 4 lines: IP, port, shm_pathname, proj_id)");
        if (bytes.length > MAX_BYTES) throw new BadInfoFile(file, "is larger than " + MAX_BYTES + " bytes: not an info file");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInfoFile(file, "is not UTF-8 text");
        }
        List<String> lines = text.lines().map(String::strip).toList();
        if (lines.size() < 4) throw new BadInfoFile(file, "has " + lines.size() + " line(s), expected 4: IP, port, shm_pathname, proj_id");
        if (lines.subList(4, lines.size()).stream().anyMatch(l -> !l.isEmpty())) {
            throw new BadInfoFile(file, "has more than 4 lines");
        }
        String ip = lines.get(0);
        if (!IPV4.matcher(ip).matches() && !(ip.contains(":") && IPV6.matcher(ip).matches())) {
            throw new BadInfoFile(file, "line 1: '" + shorten(ip) + "' is not an IPv4 or IPv6 address");
        }
        int port = number(file, 2, lines.get(1), "port");
        if (port < 1 || port > 65535) throw new BadInfoFile(file, "line 2: port " + port + " is outside 1..65535");
        String path = lines.get(2);
        if (path.isEmpty()) throw new BadInfoFile(file, "line 3: shm_pathname is empty");
        int projId = number(file, 4, lines.get(3), "proj_id");
        if (projId < 1 || projId > 255) throw new BadInfoFile(file, "line 4: proj_id " + projId + " is outside 1..255 (ftok uses 8 bits, 0 is invalid)");
        return new InfoFile(ip, port, path, projId);
    }

    private static int number(Path file, int line, String s, String what) {
        if (!s.matches("\\d{1,9}")) throw new BadInfoFile(file, "line " + line + ": " + what + " '" + shorten(s) + "' is not a number");
        return Integer.parseInt(s);
    }

    /**
     * The first 40 code points (never half a surrogate pair), with control characters and line
     * separators written as escapes: junk from a file must not garble the one line of the error.
     */
    private static String shorten(String s) {
        StringBuilder sb = new StringBuilder();
        int[] cps = s.codePoints().toArray();
        for (int i = 0; i < Math.min(cps.length, 40); i++) {
            int cp = cps[i];
            if (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029) sb.append(String.format("\\u%04x", cp));
            else sb.appendCodePoint(cp);
        }
        return cps.length > 40 ? sb + "…" : sb.toString();
    }

    /** Writes the file beside and renames it, so that a client never reads half of it. */
    public Path write(Path dir, String name) {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve("." + name + ".tmp");
        try {
            Files.writeString(tmp, ip + "\n" + port + "\n" + shmPath + "\n" + projId + "\n");
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
            throw new UncheckedIOException("system error: cannot write the info file " + target + ": " + e.getMessage(), e);
        }
    }
}
