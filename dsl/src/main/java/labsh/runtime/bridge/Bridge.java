package labsh.runtime.bridge;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import labsh.kernel.ExitWatch;
import labsh.kernel.KernelException;
import labsh.kernel.NsType;
import labsh.runtime.JoinedThread;

/**
 * The relay of seeds 000 and 001 between a peer on SysV message queues and a peer on files, each
 * in its own container. It runs on joined threads (shared/DESIGN.md): one joined to the queue
 * peer's IPC namespace ({@link QueueSide}: it makes the queues and removes them), one to the file
 * peer's mount namespace ({@link FileSide}: it finds the directory there and watches it), and the
 * relay thread, joined to both namespaces at once, that carries every message.
 *
 * <p>Why a third thread in both namespaces rather than the two side threads handing each message
 * to each other: a hand-off between two threads costs two more wake-ups per round trip (a futex
 * wake and a scheduler switch each way) than the C bridge, which is one process in both
 * namespaces; measured in bench/bridge, that hand-off was the largest part of the gap. setns(2)
 * moves only the calling thread, and nothing stops one thread from joining one process's IPC
 * namespace and another's mount namespace (JoinedThread.join with a pid per type), so the relay
 * does what the C bridge does: msgrcv, write, wait on inotify, read, msgsnd, all on one thread.
 * The side threads still own their side: the queues are made and removed from the IPC one (which
 * is never blocked, so removal needs no fresh thread), the directory is checked and watched from
 * the mount one, and each is in exactly one foreign namespace, as the kernel's view shows.
 *
 * <p>Seed 000 (client on queues): msgrcv(5566, mtype 1) → write {@code message} → wait for
 * IN_DELETE of it and IN_CLOSE_WRITE of {@code output} → read and delete {@code output} →
 * msgsnd(7788, mtype 2). Seed 001 (client on files) is the mirror image: IN_CLOSE_WRITE of
 * {@code message} → read, delete → msgsnd(5566) → msgrcv(7788) → write {@code output} → wait for
 * its IN_DELETE. One message at a time, as in the seed. Text longer than 255 bytes goes by
 * {@link BridgeProtocol}'s rule.
 *
 * <p>Stopping: a thread waits on pidfds of both peers ({@link ExitWatch}), another on inotify for
 * the directory itself (IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT); when one fires, or on
 * {@link #close()}, the bridge closes its inotify instance (waking the relay if it waits on
 * files) and removes the two queues from the IPC side's thread (waking the relay, and a peer
 * blocked in msgrcv, with EIDRM). {@link #stopReason()} says why, in one line.
 */
public final class Bridge implements AutoCloseable {
    /** Which side the client is on: IPC (seed 000) or MNT (seed 001). */
    public enum ClientSide { IPC, MNT }

    private final BridgeProtocol protocol;
    private final int ipcPid, mntPid;
    private final ClientSide clientSide;
    private final Consumer<String> report;
    private final QueueSide queues;
    private final FileSide files;
    private final AtomicLong relayed = new AtomicLong();
    private JoinedThread ipcThread, mntThread, relayThread;
    private ExitWatch exits;
    private Thread relayRunner, watcher, dirWatcher;
    private volatile String stopReason;
    private final CountDownLatch stopped = new CountDownLatch(1);

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
     * Joins {@code ipcPid}'s IPC namespace and {@code mntPid}'s mount namespace on a thread each
     * and on the relay thread, opens the queues and the directory watch there, and starts
     * relaying. {@code report} gets the one-line reason when the bridge stops on its own (a peer
     * exited, the directory vanished).
     */
    public static Bridge start(BridgeProtocol protocol, int ipcPid, int mntPid, ClientSide clientSide, Consumer<String> report) {
        Bridge b = new Bridge(protocol, ipcPid, mntPid, clientSide, report);
        try {
            b.exits = ExitWatch.of(ipcPid, mntPid);
            b.ipcThread = JoinedThread.join("bridge-ipc-" + ipcPid, ipcPid, NsType.IPC);
            b.mntThread = JoinedThread.join("bridge-mnt-" + mntPid, mntPid, NsType.MNT);
            b.ipcThread.run(b.queues::open);
            b.mntThread.run(() -> b.files.open(mntPid));
            b.relayThread = JoinedThread.join("bridge-relay", Map.of(NsType.IPC, ipcPid, NsType.MNT, mntPid));
        } catch (RuntimeException e) {
            // the queues may be open (made by the bridge) when a later join fails: remove them as close() would
            try {
                b.removeQueues();
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            b.closeQuietly();
            throw e;
        }
        b.relayRunner = b.runner("bridge-relay-runner", b.relayThread, clientSide == ClientSide.IPC ? b::relayQueueClient : b::relayFileClient);
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

    /** Seed 000: client on queues, server on files. Ends with EIDRM or FileSide.Ended when the bridge stops. */
    private void relayQueueClient() {
        for (;;) {
            byte[] reply = files.handOver(queues.receiveRequest());
            relayed.incrementAndGet(); // before the client can see the echo, so a count read after an echo includes it
            for (byte[] piece : BridgeProtocol.pieces(reply)) queues.sendReply(piece);
        }
    }

    /** Seed 001: client on files, server on queues. */
    private void relayFileClient() {
        for (;;) {
            byte[] request = files.awaitMessage();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            for (byte[] piece : BridgeProtocol.pieces(request)) { // one reply per piece, joined again
                queues.sendRequest(piece);
                reply.writeBytes(queues.receiveReply());
            }
            relayed.incrementAndGet();
            files.giveOutput(reply.toByteArray());
        }
    }

    // ---- threads, stopping --------------------------------------------------------------------

    /** A plain thread that submits the relay loop to its joined thread, waits for it to end, and stops the bridge with the reason it ended. */
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

    /**
     * Stops relaying (once; the first reason is kept): wakes each thread wherever it waits — the
     * pidfd poll, the inotify read, msgrcv (by removing the queues) — and reports why.
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
            if (!"closed".equals(reason) && report != null) {
                report.accept("bridge stopped: " + reason + " after " + relayed.get() + " messages; its queues are removed");
            }
        } finally {
            stopped.countDown();
        }
    }

    /** Waits until the bridge has stopped by itself (a peer exited, the directory vanished); false after {@code timeout}. */
    public boolean awaitStop(Duration timeout) {
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** msgctl(IPC_RMID) on the IPC side's thread (never blocked: the relay thread is the one in msgrcv). */
    private void removeQueues() {
        if (ipcThread != null) ipcThread.run(queues::removeQueues);
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

    /** The kernel's id of the relay thread, joined to both namespaces. */
    public int relayThreadId() { return relayThread.tid(); }

    /** Stops relaying, removes the queues, and ends every thread of the bridge. */
    @Override
    public void close() {
        stop("closed");
        awaitStop(Duration.ofSeconds(30)); // a stop begun by a watcher may still be removing the queues on the IPC thread
        closeQuietly();
    }

    private void closeQuietly() {
        if (exits != null) exits.close();
        files.close();
        for (Thread t : new Thread[] {relayRunner, watcher, dirWatcher}) {
            if (t == null) continue;
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (JoinedThread t : new JoinedThread[] {relayThread, ipcThread, mntThread}) {
            if (t != null) t.close();
        }
    }

    @Override
    public String toString() {
        return "bridge: " + (clientSide == ClientSide.IPC ? "client" : "server") + " on queues (pid " + ipcPid + "), "
                + (clientSide == ClientSide.IPC ? "server" : "client") + " on files (pid " + mntPid + "); " + protocol;
    }
}
