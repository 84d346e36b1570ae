/*
 * Seed 001's server (the mirror image): receives on REQUEST_KEY (5566) with mtype REQUEST_TYPE (1)
 * and sends the same text back on REPLY_KEY (7788) with mtype REPLY_TYPE (2).
 */
#include "protocol.h"

int main(void) {
    int req = queue("queue-server", REQUEST_KEY), rep = queue("queue-server", REPLY_KEY);
    long want = REQUEST_TYPE, reply = REPLY_TYPE;
    for (;;) {
        struct msg m;
        ssize_t n = msgrcv(req, &m, sizeof m.mtext, want, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("queue-server", errno == EIDRM ? "msgrcv (the bridge removed the queue: it stopped)" : "msgrcv");
        }
        m.mtype = reply;
        if (msgsnd(rep, &m, sizeof m.mtext, 0) < 0) die("queue-server", "msgsnd");
    }
}
