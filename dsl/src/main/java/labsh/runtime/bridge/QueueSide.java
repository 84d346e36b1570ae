package labsh.runtime.bridge;

import labsh.kernel.Errno;
import labsh.kernel.KernelException;
import labsh.kernel.MessageQueues;

/**
 * The bridge's side on SysV message queues. Every method runs on a thread in the queue peer's IPC
 * namespace (the side's own thread, or the relay thread that is in both): msgget(2) finds keys in
 * the caller's IPC namespace only, and queue ids are per IPC namespace.
 */
final class QueueSide {
    private final BridgeProtocol protocol;
    private int requests = -1, replies = -1;

    QueueSide(BridgeProtocol protocol) {
        this.protocol = protocol;
    }

    /** msgget(key, IPC_CREAT|0666) for both keys: the seed's peers both create; whoever is first makes the queue. */
    void open() {
        requests = MessageQueues.get(protocol.requestKey(), MessageQueues.IPC_CREAT | 0666);
        replies = MessageQueues.get(protocol.replyKey(), MessageQueues.IPC_CREAT | 0666);
    }

    /** The next request's text (blocks in msgrcv(2); ends with EIDRM when the bridge stops). */
    byte[] receiveRequest() {
        return MessageQueues.receive(requests, protocol.requestType(), BridgeProtocol.MTEXT, false).text();
    }

    byte[] receiveReply() {
        return MessageQueues.receive(replies, protocol.replyType(), BridgeProtocol.MTEXT, false).text();
    }

    void sendRequest(byte[] piece) {
        MessageQueues.send(requests, protocol.requestType(), piece, BridgeProtocol.MTEXT);
    }

    void sendReply(byte[] piece) {
        MessageQueues.send(replies, protocol.replyType(), piece, BridgeProtocol.MTEXT);
    }

    /**
     * msgctl(IPC_RMID) on both queues: wakes a receive blocked in them with EIDRM, the bridge's
     * own and a peer's (a C client then learns that the bridge is gone instead of hanging).
     * Must run on a thread in the same IPC namespace.
     */
    void removeQueues() {
        for (int id : new int[] {requests, replies}) {
            if (id < 0) continue;
            try {
                MessageQueues.remove(id);
            } catch (KernelException e) {
                if (!e.is(Errno.EINVAL) && !e.is(Errno.EIDRM)) throw e; // already gone
            }
        }
    }

    /** The two queue ids, request first (ids are per IPC namespace). */
    int[] ids() { return new int[] {requests, replies}; }
}
