#ifndef LOSSHOST_VECTOR_MATH_H
#define LOSSHOST_VECTOR_MATH_H

#include <stddef.h>

/* Block-wise exp, log, log1p, expm1 and pow over double and float arrays, on
 * glibc's libmvec (<= 4 ulp) or on scalar glibc libm (<= 1 ulp).
 *
 * Every function takes the instruction-set level explicitly: callers resolve
 * "the best this CPU has" once (lhvm_best_level) and pass it down. A result
 * depends only on the element's value and the level, never on n, the position
 * in the array or its alignment: the tail that does not fill a vector is run
 * through the same vector function on a padded copy. */

typedef enum {
    LHVM_SCALAR = 1, /* glibc libm, one element at a time */
    LHVM_SSE2 = 2,   /* libmvec, 2 doubles / 4 floats per call */
    LHVM_AVX2 = 3,   /* libmvec, 4 doubles / 8 floats per call (AVX2 + FMA) */
    LHVM_AVX512 = 4, /* libmvec, 8 doubles / 16 floats per call (AVX-512F) */
} lhvm_level;

typedef enum {
    LHVM_EXP = 0,
    LHVM_LOG = 1,
    LHVM_LOG1P = 2,
    LHVM_EXPM1 = 3,
} lhvm_function;

/* The highest level this CPU and OS support (CPUID and XGETBV). Costs a CPUID:
 * call once and keep the result. */
lhvm_level lhvm_detect_level(void);

/* Whether `level` can run here (SCALAR and SSE2 always can on x86-64). */
int lhvm_level_supported(lhvm_level level);

/* y[i] = f(x[i]) for i < n; x and y may be the same array. An unsupported
 * level falls back to the highest supported one below it. */
void lhvm_apply_f64(lhvm_function f, const double *x, double *y, size_t n, lhvm_level level);
void lhvm_apply_f32(lhvm_function f, const float *x, float *y, size_t n, lhvm_level level);

/* z[i] = pow(x[i], y[i]); z may alias x or y. */
void lhvm_pow_f64(const double *x, const double *y, double *z, size_t n, lhvm_level level);
void lhvm_pow_f32(const float *x, const float *y, float *z, size_t n, lhvm_level level);

/* The logistic parts of every x[i], from one exp and one log1p per element:
 * softplus(±x) = log(1 + e^{±x}) and sigmoid(±x), accurate for any x
 * (sigmoid(-x) is not computed as 1 - sigmoid(x)). With e = e^{-|x|}:
 * softplus(x) = max(x, 0) + log1p(e), sigmoid(x) = 1/(1+e) for x >= 0, e/(1+e)
 * below. The outputs must not overlap x or each other. */
void lhvm_logistic_f64(const double *x, double *softplus, double *softplus_neg, double *sigmoid,
                       double *sigmoid_neg, size_t n, lhvm_level level);
void lhvm_logistic_f32(const float *x, float *softplus, float *softplus_neg, float *sigmoid,
                       float *sigmoid_neg, size_t n, lhvm_level level);

/* sigmoid(±x[i]) alone, from one exp per element: bit for bit the sigmoids
 * lhvm_logistic computes, without its log1p. The outputs must not overlap x
 * or each other. */
void lhvm_sigmoid_f64(const double *x, double *sigmoid, double *sigmoid_neg, size_t n, lhvm_level level);
void lhvm_sigmoid_f32(const float *x, float *sigmoid, float *sigmoid_neg, size_t n, lhvm_level level);

/* The parts of log-sum-exp of `rows` rows of `cols` values each (row-major x,
 * cols >= 1): for row r, top[r] is the index of its first maximum m (some
 * column when the row has a NaN: its outputs are NaN then),
 * max[r] = m, exps[r * cols + j] = e^{x[r * cols + j] - m} (one call of the
 * level's exp over the whole block) and rest[r] = the sum of the row's exps
 * over j != top[r], added in double in one fixed order at every level. When
 * probs is not NULL it gets the softmax, exps[i] * (1 / (1 + rest[r])) for
 * every element i of row r, bit for bit what lhvm_scale_rows gives with that
 * factor. exps and probs must not overlap x or each other. */
void lhvm_softmax_rows_f64(const double *x, size_t rows, size_t cols, double *exps, double *probs,
                           double *max, size_t *top, double *rest, lhvm_level level);
void lhvm_softmax_rows_f32(const float *x, size_t rows, size_t cols, float *exps, float *probs,
                           double *max, size_t *top, double *rest, lhvm_level level);

/* y[r * cols + j] = x[r * cols + j] * factor[r] for every row r (the factor
 * rounded to the element type once per row); y may be x. */
void lhvm_scale_rows_f64(const double *x, size_t rows, size_t cols, const double *factor, double *y,
                         lhvm_level level);
void lhvm_scale_rows_f32(const float *x, size_t rows, size_t cols, const double *factor, float *y,
                         lhvm_level level);

/* Scans, at the level's vector width. NaN is inside every domain (its
 * comparisons are false); a float array is compared after widening to double.
 * Each returns the index of the first element that fails, or n. */
size_t lhvm_first_outside_f64(const double *x, size_t n, double lo, double hi, int lo_inclusive,
                              int hi_inclusive, lhvm_level level);
size_t lhvm_first_outside_f32(const float *x, size_t n, double lo, double hi, int lo_inclusive,
                              int hi_inclusive, lhvm_level level);
/* The first element equal to none of m0...m3 (repeat a member to pass fewer) and not NaN. */
size_t lhvm_first_not_member_f64(const double *x, size_t n, double m0, double m1, double m2, double m3,
                                 lhvm_level level);
size_t lhvm_first_not_member_f32(const float *x, size_t n, double m0, double m1, double m2, double m3,
                                 lhvm_level level);
/* The first infinite or NaN element. */
size_t lhvm_first_nonfinite_f64(const double *x, size_t n, lhvm_level level);
size_t lhvm_first_nonfinite_f32(const float *x, size_t n, lhvm_level level);

#endif
