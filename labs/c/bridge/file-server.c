/*
 * Seed 000's server: waits in DIR for the file `message` to be closed after writing
 * (inotify IN_CLOSE_WRITE), reads it, deletes it (unlink(2), which the bridge sees as IN_DELETE),
 * and writes the same text to `output` for the bridge to take.
 *   file-server DIR
 */
#define _GNU_SOURCE
#include "protocol.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/inotify.h>
#include <unistd.h>

static char text[1 << 16];

static void echo(void) {
    int fd = open(MESSAGE_FILE, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return; /* taken already (an event for an older message) */
        die("file-server", "open message");
    }
    ssize_t n, len = 0;
    while ((n = read(fd, text + len, sizeof text - len)) > 0) len += n;
    if (n < 0) die("file-server", "read message");
    close(fd);
    if (unlink(MESSAGE_FILE) < 0) die("file-server", "unlink message");
    fd = open(OUTPUT_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) die("file-server", "open output");
    if (write(fd, text, len) != len) die("file-server", "write output");
    if (close(fd) < 0) die("file-server", "close output"); /* the bridge wakes on this IN_CLOSE_WRITE */
}

int main(int argc, char **argv) {
    if (argc > 1 && chdir(argv[1]) < 0) die("file-server", "chdir");
    int in = inotify_init1(IN_CLOEXEC);
    if (in < 0) die("file-server", "inotify_init1");
    if (inotify_add_watch(in, ".", IN_CLOSE_WRITE) < 0) die("file-server", "inotify_add_watch");
    if (access(MESSAGE_FILE, F_OK) == 0) echo(); /* written before the watch existed */
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("file-server", "read inotify");
        }
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *) p;
            if ((e->mask & IN_CLOSE_WRITE) && e->len && strcmp(e->name, MESSAGE_FILE) == 0) echo();
            p += sizeof *e + e->len;
        }
    }
}
