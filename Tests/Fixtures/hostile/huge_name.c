/* A loss id of 100000 bytes. list: "invalid descriptor: losses[0].id is longer than 63 bytes". */
#include "hostile.h"
#include <string.h>
static char huge[100001];
__attribute__((constructor)) static void fill(void) { memset(huge, 'a', sizeof huge - 1); }
HOSTILE_LOSS(sq, huge, ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("huge_name", &sq)
