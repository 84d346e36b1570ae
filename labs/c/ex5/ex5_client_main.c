/* ex5-client INFO_DIR: the seed's client; prints the report, exit 1 after "system error: ...". */
#include <stdio.h>
#include "client.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s INFO_DIR\n", argv[0]);
        return 2;
    }
    return run_client(argv[1]) == 0 ? 0 : 1;
}
