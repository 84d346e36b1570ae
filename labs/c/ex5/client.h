#ifndef EX5_CLIENT_H
#define EX5_CLIENT_H
#include "globals.h"

/* Fills servers (allocated, *count entries, sorted by info file name); returns the number or -1. */
int count_servers(const char *client_files_directory, live_server_info **servers, int *count);
void print_server_infos(live_server_info *servers, int count);
int get_message_from_socket(live_server_info *server, char *msg, size_t size);
int get_message_from_shm(live_server_info *server, char *msg, size_t size);
void disconnect(live_server_info *servers, int count);
int run_client(const char *client_files_directory);

#endif
