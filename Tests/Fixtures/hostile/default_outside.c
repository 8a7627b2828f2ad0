/* Param alpha defaults to 5 in [0, 1]. list: "invalid descriptor: loss 'sq' param 'alpha': default 5 is outside [0, 1]". */
#include "hostile.h"
static const lh_param_info params[] = {{sizeof(lh_param_info), LH_PARAM_REAL, "alpha", "a weight", 5, 0, 1, 0}};
static const lh_loss sq = {sizeof(lh_loss), 0, "sq", "squared error", "prediction", "target", LH_KIND_REGRESSION,
                           LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 1, params,
                           ok_create, ok_evaluate, ok_destroy};
HOSTILE_PLUGIN("default_outside", &sq)
