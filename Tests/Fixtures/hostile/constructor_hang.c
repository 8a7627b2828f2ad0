/* Its constructor never returns. list: "timed out after 10 s while loading (in
 * its constructor or entry point)"; check of another plugin in the same folder
 * still passes (the host scans the folder before its check worker starts, so
 * the worker does not spend its own timeout waiting on this scan). */
#include "hostile.h"
__attribute__((constructor)) static void hang(void) {
    for (volatile int spin = 1; spin;) {}
}
HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("constructor_hang", &sq)
