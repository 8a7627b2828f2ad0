/* Two losses named "sq". list: "invalid descriptor: duplicate loss id 'sq'". */
#include "hostile.h"
HOSTILE_LOSS(a, "sq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_LOSS(b, "sq", ok_create, ok_evaluate, ok_destroy);
HOSTILE_PLUGIN("duplicate_ids", &a, &b)
