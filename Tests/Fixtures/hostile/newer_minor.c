/* Built for ABI 1.99, a newer minor: it loads and passes check. */
#include "hostile.h"
HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN_VERSION("newer_minor", LOSSHOST_ABI_MAJOR, 99, &sq)
