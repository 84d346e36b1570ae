/*
 * Seed 001's client (the mirror image): each line of stdin is written to DIR/message; the echo
 * is the file `output`, taken when it is closed after writing (inotify IN_CLOSE_WRITE), read,
 * deleted (the bridge waits for that IN_DELETE) and printed on its own line. Files have no
 * 256-byte limit: a long line is one file; the bridge splits it for the queues (protocol.h).
 *   file-client DIR
 */
#define _GNU_SOURCE
#include "protocol.h"
#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

static char text[1 << 16];

static void wait_for_output(int in) {
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("file-client", "read inotify");
        }
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *) p;
            if ((e->mask & IN_CLOSE_WRITE) && e->len && strcmp(e->name, OUTPUT_FILE) == 0) return;
            p += sizeof *e + e->len;
        }
    }
}

int main(int argc, char **argv) {
    if (argc > 1 && chdir(argv[1]) < 0) die("file-client", "chdir");
    int in = inotify_init1(IN_CLOEXEC);
    if (in < 0) die("file-client", "inotify_init1");
    if (inotify_add_watch(in, ".", IN_CLOSE_WRITE) < 0) die("file-client", "inotify_add_watch");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') line[--len] = 0;
        int fd = open(MESSAGE_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) die("file-client", "open message");
        if (write(fd, line, len) != len) die("file-client", "write message");
        if (close(fd) < 0) die("file-client", "close message"); /* the bridge wakes on this IN_CLOSE_WRITE */
        wait_for_output(in);
        fd = open(OUTPUT_FILE, O_RDONLY | O_CLOEXEC);
        if (fd < 0) die("file-client", "open output");
        ssize_t n, got = 0;
        while ((n = read(fd, text + got, sizeof text - got)) > 0) got += n;
        if (n < 0) die("file-client", "read output");
        close(fd);
        if (unlink(OUTPUT_FILE) < 0) die("file-client", "unlink output");
        printf("%.*s\n", (int) got, text);
        fflush(stdout);
    }
    free(line);
    return 0;
}
