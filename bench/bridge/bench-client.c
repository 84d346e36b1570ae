/*
 * The bench's client, the same for both bridges: seed 000's protocol (5566 mtype 1 out, 7788
 * mtype 2 back, 256-byte mtext), but driven by numbers instead of a terminal: each line "N" on
 * stdin makes N round trips of texts of 1..255 bytes, each echo checked, and prints
 * "N ELAPSED_NS". Waiting for the first line keeps container start-up out of the timing.
 */
#include "../../labs/c/bridge/protocol.h"
#include <time.h>

int main(void) {
    int req = queue("bench-client", REQUEST_KEY), rep = queue("bench-client", REPLY_KEY);
    long n;
    while (scanf("%ld", &n) == 1) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < n; i++) {
            struct msg m = {.mtype = 1}, r;
            size_t len = 1 + (size_t) (i * 37 % MAX_TEXT);
            memset(m.mtext, 'a' + (int) (i % 26), len);
            if (msgsnd(req, &m, sizeof m.mtext, 0) < 0) die("bench-client", "msgsnd");
            if (msgrcv(rep, &r, sizeof r.mtext, 2, 0) < 0) die("bench-client", "msgrcv");
            if (strncmp(r.mtext, m.mtext, sizeof m.mtext) != 0) { fprintf(stderr, "bench-client: echo %ld differs\n", i); return 1; }
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%ld %lld\n", n, (long long) (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
        fflush(stdout);
    }
    return 0;
}
