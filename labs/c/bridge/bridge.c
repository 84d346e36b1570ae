/*
 * The seed 000 hand-off in C, the reference for bench/bridge: one single-threaded process that
 * joins the client's IPC namespace and the server's mount namespace (setns(2); a single-threaded
 * process may join a mount namespace, unlike a JVM thread that shares its fs_struct) and relays:
 * msgrcv(5566, mtype 1) -> write DIR/message -> wait IN_DELETE message -> wait IN_CLOSE_WRITE
 * output -> read, unlink -> msgsnd(7788, mtype 2). Every wait is a blocking call.
 *   bridge IPC_PID MNT_PID DIR
 */
#define _GNU_SOURCE
#include "protocol.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/inotify.h>
#include <unistd.h>

static void join(const char *pid, const char *type, int flag) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, type);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, flag) < 0) die("bridge", path);
    close(fd);
}

static char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
static ssize_t have, at;

/* Waits for the next event on `name` with a bit of `mask`. */
static void wait_for(int in, const char *name, unsigned mask) {
    for (;;) {
        while (at < have) {
            struct inotify_event *e = (struct inotify_event *) (buf + at);
            at += sizeof *e + e->len;
            if (e->mask & (IN_DELETE_SELF | IN_IGNORED | IN_UNMOUNT)) { errno = ENOENT; die("bridge", "the server's directory vanished"); }
            if ((e->mask & mask) && e->len && strcmp(e->name, name) == 0) return;
        }
        have = read(in, buf, sizeof buf);
        at = 0;
        if (have < 0) die("bridge", "read inotify");
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: bridge IPC_PID MNT_PID DIR\n"); return 2; }
    join(argv[1], "ipc", CLONE_NEWIPC);
    join(argv[2], "mnt", CLONE_NEWNS);
    if (chdir(argv[3]) < 0) die("bridge", "chdir");
    int req = queue("bridge", REQUEST_KEY), rep = queue("bridge", REPLY_KEY);
    long want = REQUEST_TYPE, reply = REPLY_TYPE;
    int in = inotify_init1(IN_CLOEXEC);
    if (in < 0 || inotify_add_watch(in, ".", IN_DELETE | IN_CLOSE_WRITE | IN_DELETE_SELF) < 0) die("bridge", "inotify");
    static char text[1 << 16];
    for (;;) {
        struct msg m;
        ssize_t n = msgrcv(req, &m, sizeof m.mtext, want, 0);
        if (n < 0) die("bridge", "msgrcv");
        size_t len = strnlen(m.mtext, (size_t) n);
        int fd = open(MESSAGE_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, m.mtext, len) != (ssize_t) len || close(fd) < 0) die("bridge", "write message");
        wait_for(in, MESSAGE_FILE, IN_DELETE);
        wait_for(in, OUTPUT_FILE, IN_CLOSE_WRITE);
        fd = open(OUTPUT_FILE, O_RDONLY | O_CLOEXEC);
        if (fd < 0) die("bridge", "open output");
        ssize_t got = 0;
        while ((n = read(fd, text + got, sizeof text - got)) > 0) got += n;
        close(fd);
        if (unlink(OUTPUT_FILE) < 0) die("bridge", "unlink output");
        size_t sent = 0;
        do { /* the 256-byte rule of protocol.h */
            size_t k = piece_length(text + sent, (size_t) got - sent);
            struct msg r = {.mtype = reply};
            memcpy(r.mtext, text + sent, k);
            if (msgsnd(rep, &r, sizeof r.mtext, 0) < 0) die("bridge", "msgsnd");
            sent += k;
        } while (sent < (size_t) got);
    }
}
