/* lh_loss.struct_size is 16. list: "invalid descriptor: losses[0].struct_size 16 is smaller than ...". */
#include "hostile.h"
static const lh_loss sq = {16, 0, "sq", "squared error", "prediction", "target", LH_KIND_REGRESSION, LH_ELEMENTWISE, 0,
                           LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 0, 0, ok_create, ok_evaluate, ok_destroy};
HOSTILE_PLUGIN("struct_too_small", &sq)
