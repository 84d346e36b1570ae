package labsh.runtime.bridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import labsh.kernel.Inotify;

/**
 * The bridge's side on files: the protocol's directory watched with inotify(7). Every method runs
 * on a thread in the file peer's mount namespace (the side's own thread, or the relay thread that
 * is in both), so {@code dir} is resolved there (the files exist only in that namespace). Waiting
 * is reading inotify events, never polling files.
 */
final class FileSide {
    /** The directory itself went away: IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, then IN_IGNORED. */
    private static final int GONE = Inotify.IN_DELETE_SELF | Inotify.IN_MOVE_SELF | Inotify.IN_UNMOUNT | Inotify.IN_IGNORED;

    /** The file side cannot go on: the directory vanished, or the bridge is stopping. */
    static final class Ended extends RuntimeException {
        Ended(String why) { super(why); }
    }

    private final BridgeProtocol protocol;
    private final Path dir, message, output;
    private final Deque<Inotify.Event> pending = new ArrayDeque<>();
    private Inotify inotify;
    /** Reused by {@link #take}, on the one thread that relays. */
    private byte[] readBuffer = new byte[4096];
    /** A second instance on the directory alone, read by a thread of its own: it notices the directory going even while no message is in flight. */
    private Inotify dirWatch;

    FileSide(BridgeProtocol protocol) {
        this.protocol = protocol;
        this.dir = Path.of(protocol.dir());
        this.message = dir.resolve(protocol.messageFile());
        this.output = dir.resolve(protocol.outputFile());
    }

    /** inotify_init1 and one watch on the directory, before any file is exchanged (no event can be missed). */
    void open(int pid) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("bridge: no directory " + dir + " in the mount namespace of pid " + pid);
        }
        inotify = Inotify.open();
        inotify.addWatch(dir, Inotify.IN_CLOSE_WRITE | Inotify.IN_DELETE | GONE);
        dirWatch = Inotify.open();
        dirWatch.addWatch(dir, GONE);
    }

    /** Blocks (on any thread) until the directory is deleted, moved or unmounted, and says so; null once closed. */
    String awaitVanished() {
        for (;;) {
            var events = dirWatch.read();
            if (events.isEmpty()) return null;
            for (Inotify.Event e : events) {
                if (e.is(GONE)) return "the directory " + dir + " vanished (" + e.maskNames() + ")";
            }
        }
    }

    /** Ends a blocked wait from another thread (Inotify.close wakes its reader). */
    void close() {
        if (inotify != null) inotify.close();
        if (dirWatch != null) dirWatch.close();
    }

    /** Seed 000: writes {@code message}, waits until the server deleted it and closed {@code output}, takes the output. */
    byte[] handOver(byte[] request) {
        write(message, request);
        boolean taken = false, answered = false;
        while (!taken || !answered) { // the seed's server deletes first, then writes; accept either order
            Inotify.Event e = next();
            if (e.is(Inotify.IN_DELETE) && e.name().equals(protocol.messageFile())) taken = true;
            if (e.is(Inotify.IN_CLOSE_WRITE) && e.name().equals(protocol.outputFile())) answered = true;
        }
        return take(output);
    }

    /** Seed 001: waits until the client closed {@code message} after writing, and takes it. */
    byte[] awaitMessage() {
        if (Files.exists(message)) return take(message); // written before this call; its event may be pending: drop it below
        for (;;) {
            Inotify.Event e = next();
            if (e.is(Inotify.IN_CLOSE_WRITE) && e.name().equals(protocol.messageFile()) && Files.exists(message)) {
                return take(message);
            }
        }
    }

    /** Seed 001: writes {@code output} and waits until the client deleted it. */
    void giveOutput(byte[] reply) {
        write(output, reply);
        for (;;) {
            Inotify.Event e = next();
            if (e.is(Inotify.IN_DELETE) && e.name().equals(protocol.outputFile())) return;
        }
    }

    private Inotify.Event next() {
        while (pending.isEmpty()) {
            var events = inotify.read();
            if (events.isEmpty()) throw new Ended("stopping"); // closed from another thread
            pending.addAll(events);
        }
        Inotify.Event e = pending.removeFirst();
        if (e.name().isEmpty() && e.is(GONE)) {
            throw new Ended("the directory " + dir + " vanished (" + e.maskNames() + ")");
        }
        return e;
    }

    private static void write(Path file, byte[] text) {
        try {
            Files.write(file, text); // open, write, close: the peer wakes on IN_CLOSE_WRITE
        } catch (IOException e) {
            throw new UncheckedIOException("bridge: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the file and deletes it (the peer waits for that IN_DELETE), in the system calls the
     * C bridge makes: open, read until EOF, close, unlink. Not Files.readAllBytes (it adds an
     * fstat for the size) nor Files.delete (it adds an lstat): per message, each extra system
     * call showed in bench/bridge, where system calls are most of the relay's CPU.
     */
    private byte[] take(Path file) {
        try {
            int n = 0;
            try (SeekableByteChannel in = Files.newByteChannel(file)) {
                ByteBuffer b = ByteBuffer.wrap(readBuffer);
                while (in.read(b) >= 0) {
                    if (!b.hasRemaining()) { // a long text (the 256-byte rule's pieces): grow and go on
                        readBuffer = Arrays.copyOf(readBuffer, readBuffer.length * 2);
                        b = ByteBuffer.wrap(readBuffer).position(b.position());
                    }
                }
                n = b.position();
            }
            byte[] text = Arrays.copyOf(readBuffer, n);
            if (!file.toFile().delete()) Files.delete(file); // remove(3) is one unlink; on failure, Files.delete says why
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("bridge: cannot take " + file + ": " + e.getMessage(), e);
        }
    }
}
