/* Built for ABI 2.0. list: "built for ABI 2.0, newer than this host's 1.x". */
#include "hostile.h"
HOSTILE_LOSS(sq, "sq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN_VERSION("wrong_abi_major", 2, 0, &sq)
