/* evaluate is NULL. list: "invalid descriptor: loss 'sq': evaluate is NULL". */
#include "hostile.h"
HOSTILE_LOSS(sq, "sq", ok_create, 0, ok_destroy);
HOSTILE_PLUGIN("null_functions", &sq)
