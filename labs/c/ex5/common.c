#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "globals.h"

void ex5_system_error(const char *what)
{
    fprintf(stderr, "system error: %s: %s\n", what, strerror(errno));
}
