/*
 * pinball.h — a tiny library of regression losses as plain C functions.
 *
 * Written with no knowledge of losshost: it includes nothing but <math.h> in its
 * source and exports ordinary functions. losshost reaches them through the
 * manifest pinball.losshost.json and libffi.
 */
#ifndef PINBALL_H
#define PINBALL_H

/* Pinball (quantile) loss of the residual r = target - pred at level tau in (0, 1):
 *   tau * r        if r >= 0
 *   (tau - 1) * r  otherwise                                                   */
double pinball(double pred, double target, double tau);
/* d/d pred of pinball: -tau if r > 0, 1 - tau if r < 0, and 1/2 - tau at r = 0. */
double pinball_grad(double pred, double target, double tau);
/* d2/d pred2 of pinball: 0 (piecewise linear).                                  */
double pinball_hess(double pred, double target, double tau);

/* log(cosh(s * (pred - target))) / s for a scale s > 0. No derivatives here:
 * losshost computes them by finite differences.                                */
double logcosh_scaled(double p, double t, double s);

/* Squared error scaled by an integer power of two: ldexp((p - t)^2, shift).
 * Shows an int argument; no second derivative here (losshost differentiates
 * the gradient numerically).                                                   */
double scaled_square(double p, double t, int shift);
double scaled_square_grad(double p, double t, int shift);

#endif
