package labsh.runtime.bridge;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import labsh.kernel.ExitWatch;
import labsh.kernel.KernelException;
import labsh.kernel.NsType;
import labsh.runtime.JoinedThread;

/**
 * The relay of seeds 000 and 001 between a peer on SysV message queues and a peer on files, each
 * in its own container. It runs on two joined threads (shared/DESIGN.md): one joined to the queue
 * peer's IPC namespace ({@link QueueSide}), one to the file peer's mount namespace
 * ({@link FileSide}); they hand each message to each other through a blocking queue, in lock
 * step, so at most one message is in flight, as in the seed.
 *
 * <p>Seed 000 (client on queues): msgrcv(5566, mtype 1) → write {@code message} → wait for
 * IN_DELETE of it and IN_CLOSE_WRITE of {@code output} → read and delete {@code output} →
 * msgsnd(7788, mtype 2). Seed 001 (client on files) is the mirror image: IN_CLOSE_WRITE of
 * {@code message} → read, delete → msgsnd(5566) → msgrcv(7788) → write {@code output} → wait for
 * its IN_DELETE. Text longer than 255 bytes goes by {@link BridgeProtocol}'s rule.
 *
 * <p>Stopping: a third thread waits on pidfds of both peers ({@link ExitWatch}), a fourth on
 * inotify for the directory itself (IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT); when one fires,
 * or on {@link #close()}, the bridge closes its inotify instance (waking the file side) and
 * removes the two queues from a thread in the same IPC namespace (waking the queue side, and a
 * peer blocked in msgrcv, with EIDRM). {@link #stopReason()} says why, in one line.
 */
public final class Bridge implements AutoCloseable {
    /** Which side the client is on: IPC (seed 000) or MNT (seed 001). */
    public enum ClientSide { IPC, MNT }

    private static final byte[] STOP = new byte[0];

    private final BridgeProtocol protocol;
    private final int ipcPid, mntPid;
    private final ClientSide clientSide;
    private final Consumer<String> report;
    private final QueueSide queues;
    private final FileSide files;
    private final BlockingQueue<byte[]> toFiles = new LinkedBlockingQueue<>(), toQueues = new LinkedBlockingQueue<>();
    private final AtomicLong relayed = new AtomicLong();
    private JoinedThread ipcThread, mntThread;
    private ExitWatch exits;
    private Thread queueRunner, fileRunner, watcher, dirWatcher;
    private volatile String stopReason;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    private Bridge(BridgeProtocol protocol, int ipcPid, int mntPid, ClientSide clientSide, Consumer<String> report) {
        this.protocol = protocol;
        this.ipcPid = ipcPid;
        this.mntPid = mntPid;
        this.clientSide = clientSide;
        this.report = report;
        this.queues = new QueueSide(protocol);
        this.files = new FileSide(protocol);
    }

    /**
     * Joins {@code ipcPid}'s IPC namespace and {@code mntPid}'s mount namespace on two threads,
     * opens the queues and the directory watch there, and starts relaying. {@code report} gets
     * the one-line reason when the bridge stops on its own (a peer exited, the directory vanished).
     */
    public static Bridge start(BridgeProtocol protocol, int ipcPid, int mntPid, ClientSide clientSide, Consumer<String> report) {
        Bridge b = new Bridge(protocol, ipcPid, mntPid, clientSide, report);
        try {
            b.exits = ExitWatch.of(ipcPid, mntPid);
            b.ipcThread = JoinedThread.join("bridge-ipc-" + ipcPid, ipcPid, NsType.IPC);
            b.mntThread = JoinedThread.join("bridge-mnt-" + mntPid, mntPid, NsType.MNT);
            b.ipcThread.run(b.queues::open);
            b.mntThread.run(() -> b.files.open(mntPid));
        } catch (RuntimeException e) {
            b.closeQuietly();
            throw e;
        }
        b.queueRunner = b.runner("bridge-queues", b.ipcThread, clientSide == ClientSide.IPC ? b::serveQueueClient : b::serveQueueServer);
        b.fileRunner = b.runner("bridge-files", b.mntThread, clientSide == ClientSide.IPC ? b::serveFileServer : b::serveFileClient);
        b.watcher = new Thread(b::watchPeers, "bridge-exits");
        b.watcher.setDaemon(true);
        b.watcher.start();
        b.dirWatcher = new Thread(() -> {
            String why = b.files.awaitVanished();
            if (why != null) b.stop(why);
        }, "bridge-dir");
        b.dirWatcher.setDaemon(true);
        b.dirWatcher.start();
        return b;
    }

    // ---- seed 000: client on queues, server on files -------------------------------------------

    private void serveQueueClient() {
        for (;;) {
            byte[] request = queues.receiveRequest();
            if (!handOff(toFiles, request)) return;
            byte[] reply = take(toQueues);
            if (reply == STOP) return;
            relayed.incrementAndGet(); // before the client can see the echo, so a count read after an echo includes it
            for (byte[] piece : BridgeProtocol.pieces(reply)) queues.sendReply(piece);
        }
    }

    private void serveFileServer() {
        for (;;) {
            byte[] request = take(toFiles);
            if (request == STOP) return;
            if (!handOff(toQueues, files.handOver(request))) return;
        }
    }

    // ---- seed 001: client on files, server on queues -------------------------------------------

    private void serveFileClient() {
        for (;;) {
            byte[] request = files.awaitMessage();
            if (!handOff(toQueues, request)) return;
            byte[] reply = take(toFiles);
            if (reply == STOP) return;
            relayed.incrementAndGet();
            files.giveOutput(reply);
        }
    }

    private void serveQueueServer() {
        for (;;) {
            byte[] request = take(toQueues);
            if (request == STOP) return;
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            for (byte[] piece : BridgeProtocol.pieces(request)) { // one reply per piece, joined again
                queues.sendRequest(piece);
                reply.writeBytes(queues.receiveReply());
            }
            if (!handOff(toFiles, reply.toByteArray())) return;
        }
    }

    // ---- threads, stopping --------------------------------------------------------------------

    /** A plain thread that submits one side's loop to its joined thread and waits for it to end. */
    private Thread runner(String name, JoinedThread side, Runnable loop) {
        Thread t = new Thread(() -> {
            try {
                side.run(loop);
            } catch (FileSide.Ended e) {
                stop(e.getMessage());
            } catch (KernelException | java.io.UncheckedIOException | IllegalArgumentException e) {
                stop(e.getMessage());
            } catch (RuntimeException e) {
                stop(e.toString());
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void watchPeers() {
        int pid = exits.await();
        if (pid == 0) return; // closed
        String who = (pid == ipcPid) == (clientSide == ClientSide.IPC) ? "client" : "server";
        stop("the " + who + " (pid " + pid + ") exited");
    }

    /** Never blocks (the queues are unbounded, and lock-step keeps at most one message in them). */
    private boolean handOff(BlockingQueue<byte[]> q, byte[] text) {
        q.add(text);
        return stopReason == null;
    }

    private byte[] take(BlockingQueue<byte[]> q) {
        try {
            return q.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return STOP;
        }
    }

    /**
     * Stops relaying (once; the first reason is kept): wakes each side wherever it waits — the
     * pidfd poll, the inotify read, msgrcv (by removing the queues), a hand-off — and reports why.
     */
    private void stop(String reason) {
        synchronized (this) {
            if (stopReason != null) return;
            stopReason = reason;
        }
        try {
            exits.close();
            files.close();
            removeQueues();
            toFiles.add(STOP); // a side waiting for a hand-off (now or later) takes it and ends
            toQueues.add(STOP);
            if (!"closed".equals(reason) && report != null) {
                report.accept("bridge stopped: " + reason + " after " + relayed.get() + " messages; its queues are removed");
            }
        } finally {
            stopped.countDown();
        }
    }

    /** Waits until the bridge has stopped by itself (a peer exited, the directory vanished); false after {@code timeout}. */
    public boolean awaitStop(java.time.Duration timeout) {
        try {
            return stopped.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** msgctl(IPC_RMID) from a fresh thread joined to the queue side's IPC namespace (that side may be blocked in msgrcv). */
    private void removeQueues() {
        if (ipcThread == null) return;
        try (JoinedThread remover = JoinedThread.join("bridge-ipc-stop", ipcThread.tid(), NsType.IPC)) {
            remover.run(queues::removeQueues);
        }
    }

    /** Why the bridge stopped ("closed" after {@link #close()}), or null while it relays. */
    public String stopReason() { return stopReason; }

    public boolean isRelaying() { return stopReason == null; }

    /** Messages relayed both ways (one request and its reply count once). */
    public long relayed() { return relayed.get(); }

    public BridgeProtocol protocol() { return protocol; }

    public int ipcPid() { return ipcPid; }

    public int mntPid() { return mntPid; }

    public ClientSide clientSide() { return clientSide; }

    /** The kernel's id of the thread joined to the IPC namespace: /proc/self/task/TID/ns/ipc shows it. */
    public int ipcThreadId() { return ipcThread.tid(); }

    /** The kernel's id of the thread joined to the mount namespace. */
    public int mntThreadId() { return mntThread.tid(); }

    /** Stops relaying, removes the queues, and ends every thread of the bridge. */
    @Override
    public void close() {
        stop("closed");
        closeQuietly();
    }

    private void closeQuietly() {
        if (exits != null) exits.close();
        files.close();
        for (Thread t : new Thread[] {queueRunner, fileRunner, watcher, dirWatcher}) {
            if (t == null) continue;
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ipcThread != null) ipcThread.close();
        if (mntThread != null) mntThread.close();
    }

    @Override
    public String toString() {
        return "bridge: " + (clientSide == ClientSide.IPC ? "client" : "server") + " on queues (pid " + ipcPid + "), "
                + (clientSide == ClientSide.IPC ? "server" : "client") + " on files (pid " + mntPid + "); " + protocol;
    }
}
