#ifndef EX5_SERVER_H
#define EX5_SERVER_H
#include "globals.h"

typedef struct server_setup_information {
    const char *info_file_directory;
    const char *info_file_name;
    int port;
    const char *shm_pathname;
    int shm_proj_id;
} server_setup_information;

/* Each returns 0 on success and -1 after printing "system error: ..." (the caller frees and exits 1). */
int start_communication(const server_setup_information *setup_info, live_server_info *server);
int create_info_file(const server_setup_information *setup_info, live_server_info *server);
int get_connection(live_server_info *server);      /* select() then accept(); -1 on timeout/failure */
int write_to_socket(const live_server_info *server, const char *msg);
int write_to_shm(const live_server_info *server, const char *msg);
void shutdown_server(live_server_info *server);    /* the seed's shutdown(): name clashes with shutdown(2) */
int run(const server_setup_information *setup_info, const char *shm_msg, const char *socket_msg);

#endif
