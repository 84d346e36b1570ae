package labsh.runtime.ex5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import labsh.kernel.SharedMemory;
import labsh.runtime.Ledger;

/**
 * The seed's server (EX5) in Java, step for step: a socket on the machine's address, a 4096-byte
 * SysV segment from ftok(shm_pathname, proj_id), the info file, the shm message, one client, the
 * socket message, and a shutdown that closes the socket, removes the segment and deletes the info
 * file in every case — also on an error, and (through the ledger) on Ctrl-C.
 */
public final class Ex5Server implements AutoCloseable {
    public static final int SHM_SIZE = 4096;

    /** The seed's server_setup_information, plus the address (default: {@link #machineAddress()}). */
    public record Setup(Path infoDir, String infoFileName, String ip, int port, String shmPath, int projId) {
        public Setup(Path infoDir, String infoFileName, int port, String shmPath, int projId) {
            this(infoDir, infoFileName, machineAddress(), port, shmPath, projId);
        }
    }

    private final Setup setup;
    private ServerSocket socket;
    private Socket client;
    private int shmid = -1;
    private Path infoFile;
    private Ledger.Entry infoEntry;
    private Thread worker;
    private volatile RuntimeException failure;

    public Ex5Server(Setup setup) {
        this.setup = setup;
    }

    /**
     * "The IP of the machine running this function": the first IPv4 address of an interface that
     * is up and not loopback; a machine with none falls back to 127.0.0.1.
     */
    public static String machineAddress() {
        try {
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!i.isUp() || i.isLoopback()) continue;
                for (InetAddress a : Collections.list(i.getInetAddresses())) {
                    if (a instanceof Inet4Address) return a.getHostAddress();
                }
            }
        } catch (SocketException ignored) {
            // fall through to loopback
        }
        return "127.0.0.1";
    }

    /** start_communication: the listening socket and the segment. */
    public void start() {
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(setup.ip()), setup.port()), 16);
        } catch (IOException e) {
            throw systemError("cannot listen on " + setup.ip() + ":" + setup.port() + ": " + e.getMessage());
        }
        int key = SharedMemory.ftok(setup.shmPath(), setup.projId());
        shmid = SharedMemory.get(key, SHM_SIZE, SharedMemory.IPC_CREAT | 0666);
    }

    /** create_info_file: recorded in the ledger first, written atomically (port 0 binds any: the real one is written). */
    public Path createInfoFile() {
        Path target = setup.infoDir().resolve(setup.infoFileName());
        infoEntry = Ledger.current().intend("file", "path", target.toString());
        infoFile = new InfoFile(setup.ip(), port(), setup.shmPath(), setup.projId()).write(setup.infoDir(), setup.infoFileName());
        return infoFile;
    }

    /** write_to_shm: the message NUL-terminated at offset 0. */
    public void writeToShm(String message) {
        try (SharedMemory.Segment s = SharedMemory.attach(shmid, SHM_SIZE, false)) {
            s.writeString(message);
        }
    }

    /** get_connection: waits up to {@code timeout} for one client; false when none came. */
    public boolean getConnection(Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            client = socket.accept();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            if (socket.isClosed()) return false; // shut down meanwhile
            throw systemError("accept failed: " + e.getMessage());
        }
    }

    /** write_to_socket: the message's bytes, then close, so the client reads until EOF. */
    public void writeToSocket(String message) {
        try {
            client.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
            client.close();
        } catch (IOException e) {
            throw systemError("cannot write to the client: " + e.getMessage());
        }
    }

    /** The seed's run(): steps 1 to 6, with shutdown whatever happens. */
    public void run(String shmMessage, String socketMessage, Duration acceptTimeout) {
        try {
            start();
            createInfoFile();
            writeToShm(shmMessage);
            if (getConnection(acceptTimeout)) writeToSocket(socketMessage);
        } finally {
            shutdown();
        }
    }

    /**
     * Steps 1 to 3 now (so a failure is the caller's), steps 4 to 6 on a thread of their own, for
     * a lab that starts the server and then the client.
     */
    public static Ex5Server startInBackground(Setup setup, String shmMessage, String socketMessage, Duration acceptTimeout) {
        Ex5Server s = new Ex5Server(setup);
        try {
            s.start();
            s.createInfoFile();
            s.writeToShm(shmMessage);
        } catch (RuntimeException e) {
            s.shutdown();
            throw e;
        }
        s.worker = new Thread(() -> {
            try {
                if (s.getConnection(acceptTimeout)) s.writeToSocket(socketMessage);
            } catch (RuntimeException e) {
                s.failure = e;
            } finally {
                s.shutdown();
            }
        }, "ex5-server-" + setup.infoFileName());
        s.worker.setDaemon(true);
        s.worker.start();
        return s;
    }

    /** Waits for a background server to finish; rethrows its failure. */
    public void awaitDone(Duration timeout) throws InterruptedException {
        if (worker != null) worker.join(timeout.toMillis());
        if (failure != null) throw failure;
    }

    public Path infoFile() { return infoFile; }

    public int shmid() { return shmid; }

    public int port() { return socket == null ? setup.port() : socket.getLocalPort(); }

    /** shutdown: close the sockets, remove the segment, delete the info file. Idempotent. */
    public synchronized void shutdown() {
        RuntimeException first = null;
        try {
            if (client != null) client.close();
            if (socket != null) socket.close();
        } catch (IOException e) {
            first = systemError("close failed: " + e.getMessage());
        }
        if (shmid >= 0) {
            try {
                SharedMemory.remove(shmid);
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
            shmid = -1;
        }
        if (infoFile != null) {
            try {
                Files.deleteIfExists(infoFile);
                infoEntry.removed();
            } catch (IOException e) {
                if (first == null) first = new UncheckedIOException("system error: cannot delete " + infoFile, e);
            }
            infoFile = null;
        }
        if (first != null) throw first;
    }

    @Override
    public void close() {
        shutdown();
        if (worker != null) {
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static RuntimeException systemError(String text) {
        return new IllegalStateException("system error: " + text);
    }
}
