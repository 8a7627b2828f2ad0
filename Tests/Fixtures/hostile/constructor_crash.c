/* Its constructor segfaults on dlopen. list: "crashed with SIGSEGV while loading (in its constructor or entry point)". */
#include "hostile.h"
__attribute__((constructor)) static void boom(void) { *hostile_nowhere = 1; }
HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("constructor_crash", &sq)
