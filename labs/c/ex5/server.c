/* The seed's server (EX5), in C: a socket on the machine's IP, a SysV segment from
 * ftok(shm_pathname, proj_id), and an info file that tells a client where both are. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/select.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>
#include "server.h"

/* "The IP of the machine running this function": the first IPv4 address of an interface that is
 * up and not loopback; a machine with none (a bare namespace) falls back to 127.0.0.1. */
static void machine_ip(char *out, size_t size)
{
    struct ifaddrs *all, *a;
    snprintf(out, size, "127.0.0.1");
    if (getifaddrs(&all) != 0) return;
    for (a = all; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
        if (!(a->ifa_flags & IFF_UP) || (a->ifa_flags & IFF_LOOPBACK)) continue;
        inet_ntop(AF_INET, &((struct sockaddr_in *) a->ifa_addr)->sin_addr, out, size);
        break;
    }
    freeifaddrs(all);
}

int start_communication(const server_setup_information *setup_info, live_server_info *server)
{
    char ip[INET_ADDRSTRLEN];
    struct sockaddr_in addr;
    int one = 1;
    key_t key;

    server->socket_fd = -1;
    server->conn_fd = -1;
    server->shmid = -1;
    server->shm_addr = NULL;
    server->info_file_path[0] = '\0';

    machine_ip(ip, sizeof ip);
    server->socket_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (server->socket_fd < 0) { ex5_system_error("socket"); return -1; }
    setsockopt(server->socket_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short) setup_info->port);
    inet_pton(AF_INET, ip, &addr.sin_addr);
    if (bind(server->socket_fd, (struct sockaddr *) &addr, sizeof addr) != 0) { ex5_system_error("bind"); return -1; }
    if (listen(server->socket_fd, 16) != 0) { ex5_system_error("listen"); return -1; }

    key = ftok(setup_info->shm_pathname, setup_info->shm_proj_id);
    if (key == -1) { ex5_system_error("ftok"); return -1; }
    server->shmid = shmget(key, SHM_SIZE, IPC_CREAT | 0666);
    if (server->shmid < 0) { ex5_system_error("shmget"); return -1; }
    return 0;
}

int create_info_file(const server_setup_information *setup_info, live_server_info *server)
{
    char ip[INET_ADDRSTRLEN], tmp[MAX_PATH_LEN + 8];
    FILE *f;

    machine_ip(ip, sizeof ip);
    snprintf(server->info_file_path, sizeof server->info_file_path, "%s/%s",
             setup_info->info_file_directory, setup_info->info_file_name);
    /* written beside and renamed, so that a client never reads half a file */
    snprintf(tmp, sizeof tmp, "%s.tmp", server->info_file_path);
    f = fopen(tmp, "w");
    if (!f) { ex5_system_error("fopen info file"); server->info_file_path[0] = '\0'; return -1; }
    fprintf(f, "%s\n%d\n%s\n%d\n", ip, setup_info->port, setup_info->shm_pathname, setup_info->shm_proj_id);
    if (fclose(f) != 0 || rename(tmp, server->info_file_path) != 0) {
        ex5_system_error("write info file");
        unlink(tmp);
        server->info_file_path[0] = '\0';
        return -1;
    }
    return 0;
}

int get_connection(live_server_info *server)
{
    fd_set readfds;
    struct timeval timeout = { 120, 0 };
    const char *env = getenv("EX5_ACCEPT_TIMEOUT");
    if (env && atoi(env) > 0) timeout.tv_sec = atoi(env);

    FD_ZERO(&readfds);
    FD_SET(server->socket_fd, &readfds);
    if (select(server->socket_fd + 1, &readfds, NULL, NULL, &timeout) <= 0) return -1;
    server->conn_fd = accept4(server->socket_fd, NULL, NULL, SOCK_CLOEXEC);
    return server->conn_fd < 0 ? -1 : 0;
}

int write_to_socket(const live_server_info *server, const char *msg)
{
    size_t len = strlen(msg), done = 0;
    while (done < len) {
        ssize_t n = write(server->conn_fd, msg + done, len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            ex5_system_error("write to socket");
            return -1;
        }
        done += (size_t) n;
    }
    return 0;
}

int write_to_shm(const live_server_info *server, const char *msg)
{
    char *addr = shmat(server->shmid, NULL, 0);
    if (addr == (void *) -1) { ex5_system_error("shmat"); return -1; }
    snprintf(addr, SHM_SIZE, "%s", msg);
    if (shmdt(addr) != 0) { ex5_system_error("shmdt"); return -1; }
    return 0;
}

void shutdown_server(live_server_info *server)
{
    if (server->conn_fd >= 0) { close(server->conn_fd); server->conn_fd = -1; }
    if (server->socket_fd >= 0) { close(server->socket_fd); server->socket_fd = -1; }
    if (server->shmid >= 0) { shmctl(server->shmid, IPC_RMID, NULL); server->shmid = -1; }
    if (server->info_file_path[0]) { unlink(server->info_file_path); server->info_file_path[0] = '\0'; }
}

int run(const server_setup_information *setup_info, const char *shm_msg, const char *socket_msg)
{
    live_server_info server;
    if (start_communication(setup_info, &server) != 0
        || create_info_file(setup_info, &server) != 0
        || write_to_shm(&server, shm_msg) != 0) {
        shutdown_server(&server);
        return -1;
    }
    if (get_connection(&server) == 0 && write_to_socket(&server, socket_msg) != 0) {
        shutdown_server(&server);
        return -1;
    }
    shutdown_server(&server);
    return 0;
}
