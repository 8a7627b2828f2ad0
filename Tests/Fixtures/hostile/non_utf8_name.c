/* A loss id that is not UTF-8. list: "invalid descriptor: losses[0].id is not valid UTF-8". */
#include "hostile.h"
HOSTILE_LOSS(sq, "s\xff\xfeq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("non_utf8_name", &sq)
