/* pinball.c — see pinball.h. Build:  cc -shared -fPIC -O2 pinball.c -o libpinball.so -lm */
#include <math.h>
#include "pinball.h"

double pinball(double pred, double target, double tau) {
    double r = target - pred;
    return r >= 0 ? tau * r : (tau - 1.0) * r;
}

double pinball_grad(double pred, double target, double tau) {
    double r = target - pred;
    if (r > 0) return -tau;
    if (r < 0) return 1.0 - tau;
    return 0.5 - tau;
}

double pinball_hess(double pred, double target, double tau) {
    (void)pred; (void)target; (void)tau;
    return 0.0;
}

double logcosh_scaled(double p, double t, double s) {
    double x = fabs(s * (p - t));
    /* log(cosh(x)): -log(1 - tanh(x)^2)/2 for small x (no cancellation, so small s
     * stays accurate), x + log1p(exp(-2x)) - log(2) for large x (no overflow) */
    double t_ = tanh(x);
    double lc = x < 0.5 ? -0.5 * log1p(-t_ * t_) : x + log1p(exp(-2.0 * x)) - log(2.0);
    return lc / s;
}

double scaled_square(double p, double t, int shift) {
    double r = p - t;
    return ldexp(r * r, shift);
}

double scaled_square_grad(double p, double t, int shift) {
    return ldexp(2.0 * (p - t), shift);
}
