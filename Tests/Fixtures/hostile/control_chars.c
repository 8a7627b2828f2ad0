/* Its summary holds an escape sequence and a newline followed by a forged
 * "std/mse" line. The descriptor reader refuses it: "invalid descriptor:
 * loss 'sq' summary contains the control character U+001B at byte 7". */
#include "hostile.h"

static const lh_loss sq = {sizeof(lh_loss), LH_LOSS_THREAD_SAFE | LH_LOSS_DETERMINISTIC, "sq",
                           "squared\x1b[2K\rstd/mse   regression  exact  forged\n", "prediction", "target",
                           LH_KIND_REGRESSION, LH_ELEMENTWISE, 0, LH_TARGET_SAME_SHAPE, LH_HESSIAN_EXACT, 0, 0,
                           ok_create, ok_evaluate, ok_destroy};
HOSTILE_PLUGIN("control_chars", &sq)
