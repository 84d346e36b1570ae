/*
 * Seed 000's client: each line of stdin goes out on the SysV queue REQUEST_KEY (5566) with mtype
 * REQUEST_TYPE (1) in a 256-byte mtext; the echo comes back on REPLY_KEY (7788) with mtype
 * REPLY_TYPE (2) and is printed on its own line. A line longer than 255 bytes is sent as several
 * messages by the rule of protocol.h, and each piece's echo is printed on its own line.
 */
#include "protocol.h"

static void round_trip(int req, int rep, const char *text, size_t len) {
    struct msg m = {.mtype = REQUEST_TYPE};
    memcpy(m.mtext, text, len); /* the rest stays NUL */
    if (msgsnd(req, &m, sizeof m.mtext, 0) < 0) die("queue-client", "msgsnd");
    struct msg r;
    ssize_t n = msgrcv(rep, &r, sizeof r.mtext, REPLY_TYPE, 0);
    if (n < 0) die("queue-client", errno == EIDRM ? "msgrcv (the bridge removed the queue: it stopped)" : "msgrcv");
    printf("%.*s\n", (int) strnlen(r.mtext, (size_t) n), r.mtext);
    fflush(stdout);
}

int main(void) {
    int req = queue("queue-client", REQUEST_KEY), rep = queue("queue-client", REPLY_KEY);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') line[--len] = 0;
        size_t at = 0;
        do {
            size_t n = piece_length(line + at, (size_t) len - at);
            round_trip(req, rep, line + at, n);
            at += n;
        } while (at < (size_t) len);
    }
    free(line);
    return 0;
}
