/* The seed's (EX5) shared definitions, in C: what a server is while it runs and what the client
 * learns about one. Same names and meanings as the assignment's globals.h. */
#ifndef EX5_GLOBALS_H
#define EX5_GLOBALS_H

#define SHM_SIZE 4096          /* the segment: a NUL-terminated message at offset 0 */
#define MAX_PATH_LEN 4096
#define MAX_MSG_LEN 4096

typedef struct live_server_info {
    int socket_fd;                 /* listening socket (server) or connected socket (client), -1 if none */
    int shmid;                     /* -1 when the segment was not found (client) */
    char info_file_path[MAX_PATH_LEN];
    void *shm_addr;                /* attached address, NULL if none */
    int conn_fd;                   /* server: the accepted client connection, -1 if none */
} live_server_info;

/* Prints "system error: <what>: <strerror>" to stderr (the seed's format). */
void ex5_system_error(const char *what);

#endif
