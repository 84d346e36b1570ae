/* ex5-server INFO_DIR INFO_FILE_NAME PORT SHM_PATHNAME PROJ_ID SHM_MSG SOCKET_MSG
 * Runs the seed's server once; exit 1 after "system error: ..." when a call fails. SIGINT and
 * SIGTERM end the wait for a client, and the server still removes its segment and info file. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "server.h"

static void interrupted(int sig) { (void) sig; }

int main(int argc, char **argv)
{
    struct sigaction sa;
    server_setup_information setup;

    if (argc != 8) {
        fprintf(stderr, "usage: %s INFO_DIR INFO_FILE_NAME PORT SHM_PATHNAME PROJ_ID SHM_MSG SOCKET_MSG\n", argv[0]);
        return 2;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = interrupted; /* no SA_RESTART: select() returns EINTR and run() cleans up */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    setup.info_file_directory = argv[1];
    setup.info_file_name = argv[2];
    setup.port = atoi(argv[3]);
    setup.shm_pathname = argv[4];
    setup.shm_proj_id = atoi(argv[5]);
    return run(&setup, argv[6], argv[7]) == 0 ? 0 : 1;
}
