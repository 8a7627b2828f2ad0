/* create allocates and touches 32 MiB blocks until malloc fails, then
 * writes through the NULL it got. In a worker with --memory-limit 1536 that
 * ends near the limit: check says "exceeded the memory limit of 1536 MiB in
 * create". */
#include "hostile.h"
#include <string.h>

static lh_status greedy_create(const lh_loss *l, const lh_param_value *v, uint32_t n, lh_instance **out, lh_error *e) {
    for (;;) {
        char *block = malloc(32u << 20);
        if (!block) {
            *hostile_nowhere = 1;
            break;
        }
        memset(block, 1, 32u << 20);
    }
    return ok_create(l, v, n, out, e);
}

HOSTILE_LOSS(sq, "sq", greedy_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("allocate_forever", &sq)
