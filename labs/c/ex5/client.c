/* The seed's client (EX5), in C: reads the servers' info files, tries each server's segment and
 * socket, and from what it can reach tells host, container and VM apart. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/select.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>
#include "client.h"

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int regular(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Non-blocking connect, then select() on writefds with the seed's 5 s timeout. */
static int connect_with_timeout(const char *ip, int port)
{
    struct sockaddr_in addr;
    struct timeval timeout = { 5, 0 };
    fd_set writefds;
    int fd, err = 0;
    socklen_t len = sizeof err;

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short) port);
    if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) return -1;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    FD_ZERO(&writefds);
    FD_SET(fd, &writefds);
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        if (errno != EINPROGRESS || select(fd + 1, NULL, &writefds, NULL, &timeout) != 1
            || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            close(fd);
            return -1;
        }
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

int count_servers(const char *dir, live_server_info **servers, int *count)
{
    struct dirent **names;
    int n = scandir(dir, &names, regular, by_name);
    if (n < 0) { ex5_system_error("scandir"); return -1; }
    *servers = calloc(n ? (size_t) n : 1, sizeof **servers);
    if (!*servers) { ex5_system_error("calloc"); return -1; }
    for (int i = 0; i < n; i++) {
        live_server_info *s = &(*servers)[i];
        char ip[64] = "", path[MAX_PATH_LEN] = "";
        int port = 0, proj = 0;
        FILE *f;

        s->socket_fd = -1;
        s->shmid = -1;
        s->shm_addr = NULL;
        s->conn_fd = -1;
        snprintf(s->info_file_path, sizeof s->info_file_path, "%s/%s", dir, names[i]->d_name);
        f = fopen(s->info_file_path, "r");
        if (f) {
            if (fscanf(f, "%63s %d %4095s %d", ip, &port, path, &proj) == 4) {
                key_t key = ftok(path, proj);
                /* never IPC_CREAT: a segment we cannot find is the answer, not a mistake */
                if (key != -1) s->shmid = shmget(key, 0, 0);
                if (s->shmid >= 0) {
                    s->shm_addr = shmat(s->shmid, NULL, SHM_RDONLY);
                    if (s->shm_addr == (void *) -1) { s->shm_addr = NULL; s->shmid = -1; }
                }
                s->socket_fd = connect_with_timeout(ip, port);
            }
            fclose(f);
        }
        free(names[i]);
    }
    free(names);
    *count = n;
    return n;
}

int get_message_from_socket(live_server_info *server, char *msg, size_t size)
{
    size_t used = 0;
    ssize_t n;
    while (used + 1 < size && (n = read(server->socket_fd, msg + used, size - 1 - used)) != 0) {
        if (n < 0) {
            if (errno == EINTR) continue;
            ex5_system_error("read from socket");
            return -1;
        }
        used += (size_t) n;
    }
    msg[used] = '\0';
    return 0;
}

int get_message_from_shm(live_server_info *server, char *msg, size_t size)
{
    snprintf(msg, size, "%.*s", (int) (size - 1 < SHM_SIZE ? size - 1 : SHM_SIZE), (const char *) server->shm_addr);
    return 0;
}

void print_server_infos(live_server_info *servers, int count)
{
    int host = 0, container = 0, vm = 0;
    char msg[MAX_MSG_LEN + 1];

    for (int i = 0; i < count; i++) {
        if (servers[i].socket_fd >= 0 && servers[i].shm_addr) host++;
        else if (servers[i].socket_fd >= 0) container++;
        else if (servers[i].shm_addr) host++;
        else vm++;
    }
    printf("Total Servers: %d\nHost: %d\nContainer: %d\nVM: %d\nMessages:", count, host, container, vm);
    for (int i = 0; i < count; i++) {
        if (servers[i].shm_addr && get_message_from_shm(&servers[i], msg, sizeof msg) == 0) printf(" %s", msg);
        if (servers[i].socket_fd >= 0 && get_message_from_socket(&servers[i], msg, sizeof msg) == 0) printf(" %s", msg);
    }
    printf("\n");
    fflush(stdout);
}

void disconnect(live_server_info *servers, int count)
{
    for (int i = 0; i < count; i++) {
        if (servers[i].socket_fd >= 0) close(servers[i].socket_fd);
        /* detach only: the segment is the server's to remove */
        if (servers[i].shm_addr) shmdt(servers[i].shm_addr);
        servers[i].socket_fd = -1;
        servers[i].shm_addr = NULL;
    }
}

int run_client(const char *dir)
{
    live_server_info *servers = NULL;
    int count = 0;
    if (count_servers(dir, &servers, &count) < 0) { free(servers); return -1; }
    print_server_infos(servers, count);
    disconnect(servers, count);
    free(servers);
    return 0;
}
