/* A correct plugin: `check` passes it, `list` lists good/sq. */
#include "hostile.h"
HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("good", &sq)
