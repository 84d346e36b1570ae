package labsh.runtime.ex5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import labsh.kernel.Beneath;
import labsh.kernel.KernelException;
import labsh.kernel.SharedMemory;

/**
 * The seed's client (EX5) in Java. For every info file (sorted by name) it looks for the segment
 * without creating it (no IPC_CREAT) and connects to the socket; what it can reach says where the
 * server runs: both → host, the socket only → a container (another IPC namespace, same network),
 * neither → a VM (another kernel behind NAT). A segment without a socket counts as host.
 *
 * <p>Faster than the seed: all connects are started at once, non-blocking, and waited for on one
 * selector (the seed's select()), so N unreachable servers cost one 5 s timeout, not N.
 *
 * <p>An info file that cannot be parsed is not a server: it is reported as one line in
 * {@link ScanReport#problems()} and not counted.
 */
public final class Ex5Client {
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private static final int MAX_SOCKET_MESSAGE = 64 * 1024;

    public Ex5Client() {
        this(Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    public Ex5Client(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    private static final class Probe {
        final String file;
        final InfoFile info;
        SharedMemory.Segment segment;
        SocketChannel channel;
        boolean connected;

        Probe(String file, InfoFile info) {
            this.file = file;
            this.info = info;
        }
    }

    /** count_servers + print_server_infos' data + disconnect, in one call. */
    public ScanReport scan(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("system error: " + dir + " is not a directory");
        List<String> problems = new ArrayList<>();
        List<Probe> probes = new ArrayList<>();
        // The directory is one that containers and the VM write: list and open through its
        // descriptor, never by a path looked up again (InfoFile.parse: O_NOFOLLOW beneath it).
        try (Beneath beneath = Beneath.open(dir)) {
            for (String name : beneath.list().stream().sorted().toList()) {
                if (name.startsWith(".")) continue; // a server's half-written file
                try {
                    probes.add(new Probe(name, InfoFile.parse(beneath, name)));
                } catch (InfoFile.BadInfoFile e) {
                    problems.add(e.getMessage());
                }
            }
        } catch (KernelException | UncheckedIOException e) {
            String why = "system error: cannot list " + dir + ": " + e.getMessage();
            throw new UncheckedIOException(why, new IOException(why, e));
        }
        try {
            for (Probe p : probes) findSegment(p);
            connectAll(probes);
            List<ScanReport.Found> found = new ArrayList<>();
            for (Probe p : probes) {
                String shm = p.segment == null ? null : p.segment.readString();
                String sock = p.connected ? readAll(p.channel) : null;
                ScanReport.Environment env = p.connected
                        ? (p.segment != null ? ScanReport.Environment.HOST : ScanReport.Environment.CONTAINER)
                        : (p.segment != null ? ScanReport.Environment.HOST : ScanReport.Environment.VM);
                found.add(new ScanReport.Found(p.file, env, shm, sock));
            }
            return new ScanReport(found, problems);
        } finally {
            disconnect(probes);
        }
    }

    /** shmget without IPC_CREAT: a segment that is not there is the answer, not an error. */
    private static void findSegment(Probe p) {
        try {
            int key = SharedMemory.ftok(p.info.shmPath(), p.info.projId());
            int id = SharedMemory.find(key);
            if (id >= 0) p.segment = SharedMemory.attach(id, Ex5Server.SHM_SIZE, true);
        } catch (KernelException e) {
            // no such path here (ftok ENOENT) or no access: the segment cannot be reached
        }
    }

    private void connectAll(List<Probe> probes) {
        try (Selector selector = Selector.open()) {
            Map<SelectionKey, Probe> pending = new HashMap<>();
            for (Probe p : probes) {
                try {
                    SocketChannel c = SocketChannel.open();
                    p.channel = c;
                    c.configureBlocking(false);
                    if (c.connect(new InetSocketAddress(InetAddress.getByName(p.info.ip()), p.info.port()))) {
                        p.connected = true;
                    } else {
                        pending.put(c.register(selector, SelectionKey.OP_CONNECT), p);
                    }
                } catch (IOException e) {
                    closeQuietly(p); // refused or no route at once: unreachable
                }
            }
            long deadline = System.nanoTime() + connectTimeout.toNanos();
            while (!pending.isEmpty()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0 || selector.select(left) == 0 && System.nanoTime() >= deadline) break;
                for (SelectionKey k : selector.selectedKeys()) {
                    Probe p = pending.remove(k);
                    k.cancel();
                    try {
                        p.connected = p.channel.finishConnect();
                    } catch (IOException e) {
                        closeQuietly(p);
                    }
                }
                selector.selectedKeys().clear();
            }
            for (Probe p : pending.values()) closeQuietly(p); // timed out
            selector.selectNow(); // flush the cancelled keys before channels go blocking
            for (Probe p : probes) if (p.connected) p.channel.configureBlocking(true);
        } catch (IOException e) {
            throw new UncheckedIOException("system error: select failed: " + e.getMessage(), e);
        }
    }

    /** get_message_from_socket: until EOF (the server closes), bounded in size and time. */
    private String readAll(SocketChannel c) {
        try {
            c.socket().setSoTimeout((int) readTimeout.toMillis());
            var in = c.socket().getInputStream();
            byte[] b = in.readNBytes(MAX_SOCKET_MESSAGE);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(Probe p) {
        p.connected = false;
        try {
            if (p.channel != null) p.channel.close();
        } catch (IOException ignored) {
            // nothing to free
        }
    }

    /** disconnect: close sockets, detach segments — never remove them (they are the servers'). */
    private static void disconnect(List<Probe> probes) {
        for (Probe p : probes) {
            closeQuietly(p);
            if (p.segment != null) {
                try {
                    p.segment.close();
                } catch (RuntimeException ignored) {
                    // detaching cannot fail for a segment we attached
                }
            }
        }
    }
}
