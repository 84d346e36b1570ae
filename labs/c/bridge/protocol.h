/*
 * The bridge protocol of seed 000 (and its mirror, seed 001), shared by the echo roles and the C
 * bridge. A message is struct msg { long mtype; char mtext[256]; } sent with
 * msgsnd(id, &m, sizeof m.mtext, 0): at most 255 bytes of text and a NUL.
 *
 * The 256-byte rule (the same in labsh's Java bridge, BridgeProtocol.pieces): text of up to 255
 * bytes is one message; longer text is split into pieces of at most 255 bytes, each cut between
 * two UTF-8 characters (never inside one), sent in order. Nothing is truncated or dropped.
 */
#ifndef BRIDGE_PROTOCOL_H
#define BRIDGE_PROTOCOL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>

#define MTEXT 256
#define MAX_TEXT (MTEXT - 1)

struct msg {
    long mtype;
    char mtext[MTEXT];
};

/* The seed's defaults; each can be changed by an environment variable of the same name. */
static inline long setting(const char *name, long fallback) {
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 0) : fallback;
}
#define REQUEST_KEY ((key_t) setting("BRIDGE_REQUEST_KEY", 5566))
#define REPLY_KEY ((key_t) setting("BRIDGE_REPLY_KEY", 7788))
#define REQUEST_TYPE setting("BRIDGE_REQUEST_TYPE", 1)
#define REPLY_TYPE setting("BRIDGE_REPLY_TYPE", 2)

static inline const char *name_setting(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}
#define MESSAGE_FILE name_setting("BRIDGE_MESSAGE", "message")
#define OUTPUT_FILE name_setting("BRIDGE_OUTPUT", "output")

/* The length of the next piece of text[0..len): at most MAX_TEXT bytes, never ending inside a
 * UTF-8 sequence (a continuation byte is 10xxxxxx; back up until the cut precedes a lead byte). */
static inline size_t piece_length(const char *text, size_t len) {
    if (len <= MAX_TEXT) return len;
    size_t cut = MAX_TEXT;
    while (cut > 0 && ((unsigned char) text[cut] & 0xC0) == 0x80) cut--;
    return cut > 0 ? cut : MAX_TEXT; /* not UTF-8 at all: cut at 255 */
}

static inline void die(const char *who, const char *what) {
    fprintf(stderr, "%s: %s: %s\n", who, what, strerror(errno));
    exit(1);
}

/* msgget(key, IPC_CREAT|0666): the seed's peers both create the queue; whoever comes first makes it. */
static inline int queue(const char *who, key_t key) {
    int id = msgget(key, IPC_CREAT | 0666);
    if (id < 0) die(who, "msgget");
    return id;
}

#endif
