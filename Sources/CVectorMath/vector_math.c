#include "vector_math.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

/* ---- scalar glibc ---------------------------------------------------------- */

#define SCALAR_LOOP(NAME, T, FN)                                              \
    static void NAME(const T *x, T *y, size_t n) {                            \
        for (size_t i = 0; i < n; i++) y[i] = FN(x[i]);                       \
    }
SCALAR_LOOP(scalar_exp_f64, double, exp)
SCALAR_LOOP(scalar_log_f64, double, log)
SCALAR_LOOP(scalar_log1p_f64, double, log1p)
SCALAR_LOOP(scalar_expm1_f64, double, expm1)
SCALAR_LOOP(scalar_exp_f32, float, expf)
SCALAR_LOOP(scalar_log_f32, float, logf)
SCALAR_LOOP(scalar_log1p_f32, float, log1pf)
SCALAR_LOOP(scalar_expm1_f32, float, expm1f)

static void scalar_pow_f64(const double *x, const double *y, double *z, size_t n) {
    for (size_t i = 0; i < n; i++) z[i] = pow(x[i], y[i]);
}
static void scalar_pow_f32(const float *x, const float *y, float *z, size_t n) {
    for (size_t i = 0; i < n; i++) z[i] = powf(x[i], y[i]);
}

typedef void (*unary_f64)(const double *, double *, size_t);
typedef void (*unary_f32)(const float *, float *, size_t);
typedef void (*binary_f64)(const double *, const double *, double *, size_t);
typedef void (*binary_f32)(const float *, const float *, float *, size_t);

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/* ---- libmvec ----------------------------------------------------------------
 * The vector ABI names: b = SSE2, d = AVX2, e = AVX-512; N = lanes. */
#define MVEC_DECL(ATTR, VT, NAME) ATTR VT NAME(VT);
#define MVEC_DECL2(ATTR, VT, NAME) ATTR VT NAME(VT, VT);

#define SSE2 __attribute__((target("sse2")))

MVEC_DECL(SSE2, __m128d, _ZGVbN2v_exp)
MVEC_DECL(SSE2, __m128d, _ZGVbN2v_log)
MVEC_DECL(SSE2, __m128d, _ZGVbN2v_log1p)
MVEC_DECL(SSE2, __m128d, _ZGVbN2v_expm1)
MVEC_DECL2(SSE2, __m128d, _ZGVbN2vv_pow)
MVEC_DECL(SSE2, __m128, _ZGVbN4v_expf)
MVEC_DECL(SSE2, __m128, _ZGVbN4v_logf)
MVEC_DECL(SSE2, __m128, _ZGVbN4v_log1pf)
MVEC_DECL(SSE2, __m128, _ZGVbN4v_expm1f)
MVEC_DECL2(SSE2, __m128, _ZGVbN4vv_powf)

/* AVX2 and AVX-512: whole vectors in mvec_calls.S (the vector ABI passes
 * ymm / zmm in registers, which C cannot do without file-wide -mavx flags). */
#define ASM_DECL(NAME, T) void NAME(const T *x, T *y, size_t vectors);
#define ASM_DECL2(NAME, T) void NAME(const T *x, const T *y, T *z, size_t vectors);
#define ASM_ALL(LEVEL)                                                        \
    ASM_DECL(lhvm_##LEVEL##_exp_f64, double) ASM_DECL(lhvm_##LEVEL##_log_f64, double) \
    ASM_DECL(lhvm_##LEVEL##_log1p_f64, double) ASM_DECL(lhvm_##LEVEL##_expm1_f64, double) \
    ASM_DECL2(lhvm_##LEVEL##_pow_f64, double)                                 \
    ASM_DECL(lhvm_##LEVEL##_exp_f32, float) ASM_DECL(lhvm_##LEVEL##_log_f32, float) \
    ASM_DECL(lhvm_##LEVEL##_log1p_f32, float) ASM_DECL(lhvm_##LEVEL##_expm1_f32, float) \
    ASM_DECL2(lhvm_##LEVEL##_pow_f32, float)
ASM_ALL(avx2)
ASM_ALL(avx512)

/* The tail (fewer than LANES elements) padded with 1 (inside every function's
 * domain, so the pad never takes a special-case path) and run through the same
 * vector function as the whole vectors. */
#define ASM_LOOP(NAME, T, LANES, BODY)                                        \
    static void NAME(const T *x, T *y, size_t n) {                            \
        size_t whole = n / LANES, i = whole * LANES;                          \
        BODY(x, y, whole);                                                    \
        if (i < n) {                                                          \
            T pad[LANES];                                                     \
            for (size_t k = 0; k < LANES; k++) pad[k] = 1;                    \
            memcpy(pad, x + i, (n - i) * sizeof(T));                          \
            BODY(pad, pad, 1);                                                \
            memcpy(y + i, pad, (n - i) * sizeof(T));                          \
        }                                                                     \
    }
#define ASM_LOOP2(NAME, T, LANES, BODY)                                       \
    static void NAME(const T *x, const T *y, T *z, size_t n) {                \
        size_t whole = n / LANES, i = whole * LANES;                          \
        BODY(x, y, z, whole);                                                 \
        if (i < n) {                                                          \
            T px[LANES], py[LANES];                                           \
            for (size_t k = 0; k < LANES; k++) px[k] = py[k] = 1;             \
            memcpy(px, x + i, (n - i) * sizeof(T));                           \
            memcpy(py, y + i, (n - i) * sizeof(T));                           \
            BODY(px, py, px, 1);                                              \
            memcpy(z + i, px, (n - i) * sizeof(T));                           \
        }                                                                     \
    }

/* Whole vectors straight from x; the tail (fewer than LANES elements) padded
 * with 1 (inside every function's domain, so the pad never takes a special-case
 * path) and run through the same vector function. */
#define VECTOR_LOOP(NAME, ATTR, T, VT, LANES, LOAD, STORE, FN)                \
    ATTR static void NAME(const T *x, T *y, size_t n) {                       \
        size_t i = 0;                                                         \
        for (; i + LANES <= n; i += LANES) STORE(y + i, FN(LOAD(x + i)));     \
        if (i < n) {                                                          \
            T pad[LANES];                                                     \
            for (size_t k = 0; k < LANES; k++) pad[k] = 1;                    \
            memcpy(pad, x + i, (n - i) * sizeof(T));                          \
            STORE(pad, FN(LOAD(pad)));                                        \
            memcpy(y + i, pad, (n - i) * sizeof(T));                          \
        }                                                                     \
    }

#define VECTOR_LOOP2(NAME, ATTR, T, VT, LANES, LOAD, STORE, FN)               \
    ATTR static void NAME(const T *x, const T *y, T *z, size_t n) {           \
        size_t i = 0;                                                         \
        for (; i + LANES <= n; i += LANES)                                    \
            STORE(z + i, FN(LOAD(x + i), LOAD(y + i)));                       \
        if (i < n) {                                                          \
            T px[LANES], py[LANES];                                           \
            for (size_t k = 0; k < LANES; k++) px[k] = py[k] = 1;             \
            memcpy(px, x + i, (n - i) * sizeof(T));                           \
            memcpy(py, y + i, (n - i) * sizeof(T));                           \
            STORE(px, FN(LOAD(px), LOAD(py)));                                \
            memcpy(z + i, px, (n - i) * sizeof(T));                           \
        }                                                                     \
    }

#define SSE2_F64(NAME, FN) VECTOR_LOOP(NAME, SSE2, double, __m128d, 2, _mm_loadu_pd, _mm_storeu_pd, FN)
#define SSE2_F32(NAME, FN) VECTOR_LOOP(NAME, SSE2, float, __m128, 4, _mm_loadu_ps, _mm_storeu_ps, FN)

SSE2_F64(sse2_exp_f64, _ZGVbN2v_exp)
SSE2_F64(sse2_log_f64, _ZGVbN2v_log)
SSE2_F64(sse2_log1p_f64, _ZGVbN2v_log1p)
SSE2_F64(sse2_expm1_f64, _ZGVbN2v_expm1)
SSE2_F32(sse2_exp_f32, _ZGVbN4v_expf)
SSE2_F32(sse2_log_f32, _ZGVbN4v_logf)
SSE2_F32(sse2_log1p_f32, _ZGVbN4v_log1pf)
SSE2_F32(sse2_expm1_f32, _ZGVbN4v_expm1f)
VECTOR_LOOP2(sse2_pow_f64, SSE2, double, __m128d, 2, _mm_loadu_pd, _mm_storeu_pd, _ZGVbN2vv_pow)
VECTOR_LOOP2(sse2_pow_f32, SSE2, float, __m128, 4, _mm_loadu_ps, _mm_storeu_ps, _ZGVbN4vv_powf)

ASM_LOOP(avx2_exp_f64, double, 4, lhvm_avx2_exp_f64)
ASM_LOOP(avx2_log_f64, double, 4, lhvm_avx2_log_f64)
ASM_LOOP(avx2_log1p_f64, double, 4, lhvm_avx2_log1p_f64)
ASM_LOOP(avx2_expm1_f64, double, 4, lhvm_avx2_expm1_f64)
ASM_LOOP(avx2_exp_f32, float, 8, lhvm_avx2_exp_f32)
ASM_LOOP(avx2_log_f32, float, 8, lhvm_avx2_log_f32)
ASM_LOOP(avx2_log1p_f32, float, 8, lhvm_avx2_log1p_f32)
ASM_LOOP(avx2_expm1_f32, float, 8, lhvm_avx2_expm1_f32)
ASM_LOOP2(avx2_pow_f64, double, 4, lhvm_avx2_pow_f64)
ASM_LOOP2(avx2_pow_f32, float, 8, lhvm_avx2_pow_f32)

ASM_LOOP(avx512_exp_f64, double, 8, lhvm_avx512_exp_f64)
ASM_LOOP(avx512_log_f64, double, 8, lhvm_avx512_log_f64)
ASM_LOOP(avx512_log1p_f64, double, 8, lhvm_avx512_log1p_f64)
ASM_LOOP(avx512_expm1_f64, double, 8, lhvm_avx512_expm1_f64)
ASM_LOOP(avx512_exp_f32, float, 16, lhvm_avx512_exp_f32)
ASM_LOOP(avx512_log_f32, float, 16, lhvm_avx512_log_f32)
ASM_LOOP(avx512_log1p_f32, float, 16, lhvm_avx512_log1p_f32)
ASM_LOOP(avx512_expm1_f32, float, 16, lhvm_avx512_expm1_f32)
ASM_LOOP2(avx512_pow_f64, double, 8, lhvm_avx512_pow_f64)
ASM_LOOP2(avx512_pow_f32, float, 16, lhvm_avx512_pow_f32)

/* ---- detection --------------------------------------------------------------- */

static unsigned long long xgetbv0(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

lhvm_level lhvm_detect_level(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return LHVM_SSE2;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx) return LHVM_SSE2;
    unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return LHVM_SSE2; /* the OS saves XMM and YMM */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return LHVM_SSE2;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1;
    if (avx512f && (xcr0 & 0xe6) == 0xe6) return LHVM_AVX512; /* and opmask, ZMM */
    if (avx2 && fma) return LHVM_AVX2;
    return LHVM_SSE2;
}

/* What lhvm_detect_level returned, computed on first use: a fact about the
 * CPU that never changes, kept so a call does not pay a CPUID (a VM exit under
 * a hypervisor). 0: not yet known. */
static _Atomic int detected_level = 0;

static lhvm_level supported_at_most(lhvm_level level) {
    int best = atomic_load_explicit(&detected_level, memory_order_relaxed);
    if (best == 0) {
        best = (int)lhvm_detect_level();
        atomic_store_explicit(&detected_level, best, memory_order_relaxed);
    }
    if (level < LHVM_SCALAR) return LHVM_SCALAR;
    return (int)level > best ? (lhvm_level)best : level;
}

int lhvm_level_supported(lhvm_level level) {
    return level >= LHVM_SCALAR && supported_at_most(level) == level;
}

static const unary_f64 table_f64[5][4] = {
    [LHVM_SCALAR] = {scalar_exp_f64, scalar_log_f64, scalar_log1p_f64, scalar_expm1_f64},
    [LHVM_SSE2] = {sse2_exp_f64, sse2_log_f64, sse2_log1p_f64, sse2_expm1_f64},
    [LHVM_AVX2] = {avx2_exp_f64, avx2_log_f64, avx2_log1p_f64, avx2_expm1_f64},
    [LHVM_AVX512] = {avx512_exp_f64, avx512_log_f64, avx512_log1p_f64, avx512_expm1_f64},
};
static const unary_f32 table_f32[5][4] = {
    [LHVM_SCALAR] = {scalar_exp_f32, scalar_log_f32, scalar_log1p_f32, scalar_expm1_f32},
    [LHVM_SSE2] = {sse2_exp_f32, sse2_log_f32, sse2_log1p_f32, sse2_expm1_f32},
    [LHVM_AVX2] = {avx2_exp_f32, avx2_log_f32, avx2_log1p_f32, avx2_expm1_f32},
    [LHVM_AVX512] = {avx512_exp_f32, avx512_log_f32, avx512_log1p_f32, avx512_expm1_f32},
};
static const binary_f64 pow_f64[5] = {
    [LHVM_SCALAR] = scalar_pow_f64, [LHVM_SSE2] = sse2_pow_f64,
    [LHVM_AVX2] = avx2_pow_f64, [LHVM_AVX512] = avx512_pow_f64,
};
static const binary_f32 pow_f32[5] = {
    [LHVM_SCALAR] = scalar_pow_f32, [LHVM_SSE2] = sse2_pow_f32,
    [LHVM_AVX2] = avx2_pow_f32, [LHVM_AVX512] = avx512_pow_f32,
};

#else /* not x86-64: scalar glibc only */

lhvm_level lhvm_detect_level(void) { return LHVM_SCALAR; }
static lhvm_level supported_at_most(lhvm_level level) { (void)level; return LHVM_SCALAR; }
int lhvm_level_supported(lhvm_level level) { return level == LHVM_SCALAR; }

static const unary_f64 table_f64[5][4] = {
    [LHVM_SCALAR] = {scalar_exp_f64, scalar_log_f64, scalar_log1p_f64, scalar_expm1_f64},
};
static const unary_f32 table_f32[5][4] = {
    [LHVM_SCALAR] = {scalar_exp_f32, scalar_log_f32, scalar_log1p_f32, scalar_expm1_f32},
};
static const binary_f64 pow_f64[5] = {[LHVM_SCALAR] = scalar_pow_f64};
static const binary_f32 pow_f32[5] = {[LHVM_SCALAR] = scalar_pow_f32};

#endif

static lhvm_level usable(lhvm_level level) {
    if (level == LHVM_SCALAR || level == LHVM_SSE2) return level;
    return supported_at_most(level);
}

void lhvm_apply_f64(lhvm_function f, const double *x, double *y, size_t n, lhvm_level level) {
    if ((unsigned)f > LHVM_EXPM1 || n == 0) return;
    table_f64[usable(level)][f](x, y, n);
}

void lhvm_apply_f32(lhvm_function f, const float *x, float *y, size_t n, lhvm_level level) {
    if ((unsigned)f > LHVM_EXPM1 || n == 0) return;
    table_f32[usable(level)][f](x, y, n);
}

void lhvm_pow_f64(const double *x, const double *y, double *z, size_t n, lhvm_level level) {
    if (n == 0) return;
    pow_f64[usable(level)](x, y, z, n);
}

void lhvm_pow_f32(const float *x, const float *y, float *z, size_t n, lhvm_level level) {
    if (n == 0) return;
    pow_f32[usable(level)](x, y, z, n);
}

/* ---- fused logistic ------------------------------------------------------------
 * The arithmetic after the exp and log1p, compiled once per level so it runs
 * in that level's vector width. No contraction into FMA: every level rounds
 * each operation as the scalar code does, so the levels differ only by the
 * exp / log1p results. max(x, 0) is written as Swift's max (NaN stays NaN). */
#pragma clang fp contract(off)

#define LOGISTIC_COMBINE(NAME, ATTR, T)                                       \
    ATTR static void NAME(const T *restrict x, const T *restrict e, const T *restrict l, \
                          T *restrict sp, T *restrict spn, T *restrict sg, T *restrict sgn, size_t n) { \
        for (size_t i = 0; i < n; i++) {                                      \
            T xi = x[i], ei = e[i], li = l[i];                                \
            T big = (T)1 / ((T)1 + ei), small = ei * big;                     \
            T nx = -xi;                                                       \
            sp[i] = ((T)0 >= xi ? (T)0 : xi) + li;                            \
            spn[i] = ((T)0 >= nx ? (T)0 : nx) + li;                           \
            sg[i] = xi >= 0 ? big : small;                                    \
            sgn[i] = xi >= 0 ? small : big;                                   \
        }                                                                     \
    }

LOGISTIC_COMBINE(combine_base_f64, , double)
LOGISTIC_COMBINE(combine_base_f32, , float)
#if defined(__x86_64__)
LOGISTIC_COMBINE(combine_avx2_f64, __attribute__((target("avx2"))), double)
LOGISTIC_COMBINE(combine_avx2_f32, __attribute__((target("avx2"))), float)
LOGISTIC_COMBINE(combine_avx512_f64, __attribute__((target("avx512f"))), double)
LOGISTIC_COMBINE(combine_avx512_f32, __attribute__((target("avx512f"))), float)
#define PICK_COMBINE(L, T) ((L) == LHVM_AVX512 ? combine_avx512_##T : (L) == LHVM_AVX2 ? combine_avx2_##T : combine_base_##T)
#else
#define PICK_COMBINE(L, T) combine_base_##T
#endif

/* The sigmoid half of LOGISTIC_COMBINE, the same operations in the same order
 * (so its sigmoids equal the full call's bit for bit), without the log1p. */
#define SIGMOID_COMBINE(NAME, ATTR, T)                                        \
    ATTR static void NAME(const T *restrict x, const T *restrict e, T *restrict sg, T *restrict sgn, size_t n) { \
        for (size_t i = 0; i < n; i++) {                                      \
            T xi = x[i], ei = e[i];                                           \
            T big = (T)1 / ((T)1 + ei), small = ei * big;                     \
            sg[i] = xi >= 0 ? big : small;                                    \
            sgn[i] = xi >= 0 ? small : big;                                   \
        }                                                                     \
    }

SIGMOID_COMBINE(sigmoid_base_f64, , double)
SIGMOID_COMBINE(sigmoid_base_f32, , float)
#if defined(__x86_64__)
SIGMOID_COMBINE(sigmoid_avx2_f64, __attribute__((target("avx2"))), double)
SIGMOID_COMBINE(sigmoid_avx2_f32, __attribute__((target("avx2"))), float)
SIGMOID_COMBINE(sigmoid_avx512_f64, __attribute__((target("avx512f"))), double)
SIGMOID_COMBINE(sigmoid_avx512_f32, __attribute__((target("avx512f"))), float)
#define PICK_SIGMOID(L, T) ((L) == LHVM_AVX512 ? sigmoid_avx512_##T : (L) == LHVM_AVX2 ? sigmoid_avx2_##T : sigmoid_base_##T)
#else
#define PICK_SIGMOID(L, T) sigmoid_base_##T
#endif

#define LOGISTIC_BLOCK 256

#define LOGISTIC_ENTRY(NAME, T, APPLY, ABS, SUFFIX)                           \
    void NAME(const T *x, T *sp, T *spn, T *sg, T *sgn, size_t n, lhvm_level level) { \
        lhvm_level use = usable(level);                                       \
        T e[LOGISTIC_BLOCK], l[LOGISTIC_BLOCK];                               \
        for (size_t start = 0; start < n; start += LOGISTIC_BLOCK) {          \
            size_t m = n - start < LOGISTIC_BLOCK ? n - start : LOGISTIC_BLOCK; \
            for (size_t i = 0; i < m; i++) e[i] = -ABS(x[start + i]);         \
            APPLY(LHVM_EXP, e, e, m, use);                                    \
            APPLY(LHVM_LOG1P, e, l, m, use);                                  \
            PICK_COMBINE(use, SUFFIX)(x + start, e, l, sp + start, spn + start, sg + start, sgn + start, m); \
        }                                                                     \
    }

LOGISTIC_ENTRY(lhvm_logistic_f64, double, lhvm_apply_f64, fabs, f64)
LOGISTIC_ENTRY(lhvm_logistic_f32, float, lhvm_apply_f32, fabsf, f32)

#define SIGMOID_ENTRY(NAME, T, APPLY, ABS, SUFFIX)                            \
    void NAME(const T *x, T *sg, T *sgn, size_t n, lhvm_level level) {        \
        lhvm_level use = usable(level);                                       \
        T e[LOGISTIC_BLOCK];                                                  \
        for (size_t start = 0; start < n; start += LOGISTIC_BLOCK) {          \
            size_t m = n - start < LOGISTIC_BLOCK ? n - start : LOGISTIC_BLOCK; \
            for (size_t i = 0; i < m; i++) e[i] = -ABS(x[start + i]);         \
            APPLY(LHVM_EXP, e, e, m, use);                                    \
            PICK_SIGMOID(use, SUFFIX)(x + start, e, sg + start, sgn + start, m); \
        }                                                                     \
    }

SIGMOID_ENTRY(lhvm_sigmoid_f64, double, lhvm_apply_f64, fabs, f64)
SIGMOID_ENTRY(lhvm_sigmoid_f32, float, lhvm_apply_f32, fabsf, f32)

/* ---- scans ---------------------------------------------------------------------
 * Blocks of SCAN_BLOCK elements are tested with a branch-free loop (which the
 * compiler vectorises at each level's width); only a block that fails is
 * searched element by element for the index. */
#define SCAN_BLOCK 2048

#define OUTSIDE(v) (((v) < lo) | (((v) == lo) & !li) | ((v) > hi) | (((v) == hi) & !hinc))
#define NOT_MEMBER(v) (!(((v) == m0) | ((v) == m1) | ((v) == m2) | ((v) == m3) | ((v) != (v))))

#define SCANS(LEVEL, ATTR, T, BITS, MASK)                                     \
    ATTR static size_t outside_##LEVEL##_##T(const T *x, size_t n, double lo, double hi, int li, int hinc) { \
        for (size_t s = 0; s < n; s += SCAN_BLOCK) {                          \
            size_t e = n - s < SCAN_BLOCK ? n : s + SCAN_BLOCK;               \
            int bad = 0;                                                      \
            for (size_t i = s; i < e; i++) { double v = x[i]; bad |= OUTSIDE(v); } \
            if (bad) for (size_t i = s; i < e; i++) { double v = x[i]; if (OUTSIDE(v)) return i; } \
        }                                                                     \
        return n;                                                             \
    }                                                                         \
    ATTR static size_t member_##LEVEL##_##T(const T *x, size_t n, double m0, double m1, double m2, double m3) { \
        for (size_t s = 0; s < n; s += SCAN_BLOCK) {                          \
            size_t e = n - s < SCAN_BLOCK ? n : s + SCAN_BLOCK;               \
            int bad = 0;                                                      \
            for (size_t i = s; i < e; i++) { double v = x[i]; bad |= NOT_MEMBER(v); } \
            if (bad) for (size_t i = s; i < e; i++) { double v = x[i]; if (NOT_MEMBER(v)) return i; } \
        }                                                                     \
        return n;                                                             \
    }                                                                         \
    ATTR static size_t nonfinite_##LEVEL##_##T(const T *x, size_t n) {        \
        const BITS *b = (const BITS *)(const void *)x;                        \
        for (size_t s = 0; s < n; s += SCAN_BLOCK) {                          \
            size_t e = n - s < SCAN_BLOCK ? n : s + SCAN_BLOCK;               \
            BITS bad = 0;                                                     \
            for (size_t i = s; i < e; i++) bad |= (BITS)((b[i] & MASK) == MASK); \
            if (bad) for (size_t i = s; i < e; i++) if ((b[i] & MASK) == MASK) return i; \
        }                                                                     \
        return n;                                                             \
    }

#include <stdint.h>
SCANS(base, , double, uint64_t, 0x7FF0000000000000ull)
SCANS(base, , float, uint32_t, 0x7F800000u)
#if defined(__x86_64__)
SCANS(avx2, __attribute__((target("avx2"))), double, uint64_t, 0x7FF0000000000000ull)
SCANS(avx2, __attribute__((target("avx2"))), float, uint32_t, 0x7F800000u)
SCANS(avx512, __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))), double, uint64_t, 0x7FF0000000000000ull)
SCANS(avx512, __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))), float, uint32_t, 0x7F800000u)
#define PICK_SCAN(L, NAME, T) ((L) == LHVM_AVX512 ? NAME##_avx512_##T : (L) == LHVM_AVX2 ? NAME##_avx2_##T : NAME##_base_##T)
#else
#define PICK_SCAN(L, NAME, T) NAME##_base_##T
#endif

size_t lhvm_first_outside_f64(const double *x, size_t n, double lo, double hi, int li, int hinc, lhvm_level level) {
    return PICK_SCAN(usable(level), outside, double)(x, n, lo, hi, li, hinc);
}
size_t lhvm_first_outside_f32(const float *x, size_t n, double lo, double hi, int li, int hinc, lhvm_level level) {
    return PICK_SCAN(usable(level), outside, float)(x, n, lo, hi, li, hinc);
}
size_t lhvm_first_not_member_f64(const double *x, size_t n, double m0, double m1, double m2, double m3, lhvm_level level) {
    return PICK_SCAN(usable(level), member, double)(x, n, m0, m1, m2, m3);
}
size_t lhvm_first_not_member_f32(const float *x, size_t n, double m0, double m1, double m2, double m3, lhvm_level level) {
    return PICK_SCAN(usable(level), member, float)(x, n, m0, m1, m2, m3);
}
size_t lhvm_first_nonfinite_f64(const double *x, size_t n, lhvm_level level) {
    return PICK_SCAN(usable(level), nonfinite, double)(x, n);
}
size_t lhvm_first_nonfinite_f32(const float *x, size_t n, lhvm_level level) {
    return PICK_SCAN(usable(level), nonfinite, float)(x, n);
}

/* ---- softmax rows ------------------------------------------------------------
 * Each row's maximum and its shift (x - max, vectorised at the level's width),
 * one exp over the whole block, then each row's sum of the exps but the top one
 * in double. */

/* The maximum in four lanes (x > m ? x : m, a vector max), then the first
 * column holding it, found without a branch per column. Equal to a scan for the
 * first strict maximum unless the row has a NaN, and then every output of the
 * row is NaN either way. */
#define SOFTMAX_SHIFT(NAME, ATTR, T)                                          \
    ATTR static void NAME(const T *restrict x, size_t rows, size_t cols, T *restrict exps, \
                          double *restrict max, size_t *restrict top) {       \
        for (size_t r = 0; r < rows; r++) {                                   \
            const T *row = x + r * cols;                                      \
            T *out = exps + r * cols;                                         \
            T m0 = row[0], m1 = row[0], m2 = row[0], m3 = row[0];             \
            size_t j = 0;                                                     \
            for (; j + 4 <= cols; j += 4) {                                   \
                m0 = row[j] > m0 ? row[j] : m0;                               \
                m1 = row[j + 1] > m1 ? row[j + 1] : m1;                       \
                m2 = row[j + 2] > m2 ? row[j + 2] : m2;                       \
                m3 = row[j + 3] > m3 ? row[j + 3] : m3;                       \
            }                                                                 \
            for (; j < cols; j++) m0 = row[j] > m0 ? row[j] : m0;             \
            m0 = m1 > m0 ? m1 : m0;                                           \
            m2 = m3 > m2 ? m3 : m2;                                           \
            T m = m2 > m0 ? m2 : m0;                                          \
            size_t t = cols - 1;                                              \
            for (size_t c = cols; c-- > 0;) t = row[c] == m ? c : t;          \
            for (size_t c = 0; c < cols; c++) out[c] = row[c] - m;            \
            max[r] = m;                                                       \
            top[r] = t;                                                       \
        }                                                                     \
    }

/* Four partial sums over every column (column j in sum j % 4, the top column
 * adding 0) and a tail, combined as ((s0 + s1) + (s2 + s3)) + tail: the same
 * trip count for every row (no branch that depends on where the top is), short
 * dependency chains, and a fixed order at every level. */
#define SOFTMAX_REST(NAME, ATTR, T)                                           \
    ATTR static void NAME(const T *restrict exps, size_t rows, size_t cols,   \
                          const size_t *restrict top, double *restrict rest) { \
        for (size_t r = 0; r < rows; r++) {                                   \
            const T *row = exps + r * cols;                                   \
            size_t t = top[r], j = 0;                                         \
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0, tail = 0;                  \
            for (; j + 4 <= cols; j += 4) {                                   \
                s0 += j == t ? 0 : (double)row[j];                            \
                s1 += j + 1 == t ? 0 : (double)row[j + 1];                    \
                s2 += j + 2 == t ? 0 : (double)row[j + 2];                    \
                s3 += j + 3 == t ? 0 : (double)row[j + 3];                    \
            }                                                                 \
            for (; j < cols; j++) tail += j == t ? 0 : (double)row[j];        \
            rest[r] = ((s0 + s1) + (s2 + s3)) + tail;                         \
        }                                                                     \
    }

/* y[r * cols + j] = x[r * cols + j] * factor[r], the factor rounded to T once per row. */
#define SCALE_ROWS(NAME, ATTR, T)                                             \
    ATTR static void NAME(const T *x, size_t rows, size_t cols, const double *restrict factor, T *y) { \
        for (size_t r = 0; r < rows; r++) {                                   \
            const T f = (T)factor[r];                                         \
            const T *in = x + r * cols;                                       \
            T *out = y + r * cols;                                            \
            for (size_t j = 0; j < cols; j++) out[j] = in[j] * f;             \
        }                                                                     \
    }

/* Short rows across rows: a block of at most ACROSS_ROWS rows transposed into
 * column-major scratch (t[c * R + r] = x[r * cols + c]), so that every step
 * is a contiguous loop over the rows at the level's vector width. Each row's
 * maximum, top column, exps and sum come out bit for bit as in SOFTMAX_SHIFT
 * and SOFTMAX_REST: the same comparisons and additions in the same order, one
 * row per vector lane. */
#define ACROSS_ROWS 64
#define ACROSS_MAX_COLS 16

/* Eight rows at a time, each step's accumulators in small arrays the compiler
 * keeps in vector registers; top columns as 32-bit lanes. */
#define LANE_ROWS 8
#define EACH for (size_t k = 0; k < LANE_ROWS; k++)

#define SOFTMAX_ACROSS_LANES(NAME, ATTR, T)                                   \
    /* The maximum of each row, then its top column and the shift t - max in place. */ \
    ATTR static void NAME##_max_shift(T *restrict t, size_t R, size_t cols, T *restrict m, \
                                      unsigned *restrict top) {               \
        for (size_t r0 = 0; r0 < R; r0 += LANE_ROWS) {                        \
            T *b = t + r0;                                                    \
            T m0[LANE_ROWS], m1[LANE_ROWS], m2[LANE_ROWS], m3[LANE_ROWS], mm[LANE_ROWS]; \
            unsigned tp[LANE_ROWS];                                           \
            EACH m0[k] = m1[k] = m2[k] = m3[k] = b[k];                        \
            size_t j = 0;                                                     \
            for (; j + 4 <= cols; j += 4) {                                   \
                const T *c0 = b + j * R, *c1 = c0 + R, *c2 = c1 + R, *c3 = c2 + R; \
                EACH {                                                        \
                    m0[k] = c0[k] > m0[k] ? c0[k] : m0[k];                    \
                    m1[k] = c1[k] > m1[k] ? c1[k] : m1[k];                    \
                    m2[k] = c2[k] > m2[k] ? c2[k] : m2[k];                    \
                    m3[k] = c3[k] > m3[k] ? c3[k] : m3[k];                    \
                }                                                             \
            }                                                                 \
            for (; j < cols; j++) EACH m0[k] = b[j * R + k] > m0[k] ? b[j * R + k] : m0[k]; \
            EACH {                                                            \
                T x = m1[k] > m0[k] ? m1[k] : m0[k];                          \
                T y = m3[k] > m2[k] ? m3[k] : m2[k];                          \
                mm[k] = y > x ? y : x;                                        \
                tp[k] = (unsigned)cols - 1;                                   \
            }                                                                 \
            for (size_t c = cols; c-- > 0;) EACH {                            \
                T v = b[c * R + k];                                           \
                tp[k] = v == mm[k] ? (unsigned)c : tp[k];                     \
                b[c * R + k] = v - mm[k];                                     \
            }                                                                 \
            EACH { m[r0 + k] = mm[k]; top[r0 + k] = tp[k]; }                 \
        }                                                                     \
    }                                                                         \
    ATTR static void NAME##_rest(const T *restrict t, size_t R, size_t cols,  \
                                 const unsigned *restrict top, double *restrict rest) { \
        for (size_t r0 = 0; r0 < R; r0 += LANE_ROWS) {                        \
            const T *b = t + r0;                                              \
            double s0[LANE_ROWS], s1[LANE_ROWS], s2[LANE_ROWS], s3[LANE_ROWS], tail[LANE_ROWS]; \
            unsigned tp[LANE_ROWS];                                           \
            EACH { s0[k] = s1[k] = s2[k] = s3[k] = tail[k] = 0; tp[k] = top[r0 + k]; } \
            unsigned j = 0;                                                   \
            for (; j + 4 <= cols; j += 4) {                                   \
                const T *c0 = b + j * R, *c1 = c0 + R, *c2 = c1 + R, *c3 = c2 + R; \
                EACH { /* loads outside the selects: no masked loads */       \
                    double e0 = c0[k], e1 = c1[k], e2 = c2[k], e3 = c3[k];    \
                    s0[k] += j == tp[k] ? 0 : e0;                             \
                    s1[k] += j + 1 == tp[k] ? 0 : e1;                         \
                    s2[k] += j + 2 == tp[k] ? 0 : e2;                         \
                    s3[k] += j + 3 == tp[k] ? 0 : e3;                         \
                }                                                             \
            }                                                                 \
            for (; j < cols; j++) EACH {                                      \
                double e = b[j * R + k];                                      \
                tail[k] += j == tp[k] ? 0 : e;                                \
            }                                                                 \
            EACH rest[r0 + k] = ((s0[k] + s1[k]) + (s2[k] + s3[k])) + tail[k];  \
        }                                                                     \
    }

SOFTMAX_ACROSS_LANES(across_base_f64, , double)
SOFTMAX_ACROSS_LANES(across_base_f32, , float)
#if defined(__x86_64__)
SOFTMAX_ACROSS_LANES(across_avx2_f64, __attribute__((target("avx2"))), double)
SOFTMAX_ACROSS_LANES(across_avx2_f32, __attribute__((target("avx2"))), float)
SOFTMAX_ACROSS_LANES(across_avx512_f64, __attribute__((target("avx512f"))), double)
SOFTMAX_ACROSS_LANES(across_avx512_f32, __attribute__((target("avx512f"))), float)
#define PICK_ACROSS(L, T, STEP) ((L) == LHVM_AVX512 ? across_avx512_##T##_##STEP : (L) == LHVM_AVX2 ? across_avx2_##T##_##STEP : across_base_##T##_##STEP)
#else
#define PICK_ACROSS(L, T, STEP) across_base_##T##_##STEP
#endif

/* The transposes around the lanes, for a block of n rows (R >= n, whole
 * vectors): in, t[c * R + r] = x[r * cols + c] with the pad rows n..R-1 of t
 * set to 0; out, exps[r * cols + c] = t[c * R + r] and, when probs is not
 * NULL, probs[r * cols + c] = t[c * R + r] * f[r] (f given for all R rows).
 * Copies and one product each, so every level gives the same bits. The base
 * level in plain loops. */
#define TRANSPOSE_ROWS(SUFFIX, T)                                             \
    static void transpose_in_base_##SUFFIX(const T *x, size_t n, size_t R, size_t cols, T *t) { \
        for (size_t c = 0; c < cols; c++) {                                   \
            for (size_t r = 0; r < n; r++) t[c * R + r] = x[r * cols + c];    \
            for (size_t r = n; r < R; r++) t[c * R + r] = 0;                  \
        }                                                                     \
    }                                                                         \
    static void transpose_out_base_##SUFFIX(const T *t, size_t n, size_t R, size_t cols, const T *f, \
                                            T *exps, T *probs) {              \
        for (size_t r = 0; r < n; r++)                                        \
            for (size_t c = 0; c < cols; c++) exps[r * cols + c] = t[c * R + r]; \
        if (probs)                                                            \
            for (size_t r = 0; r < n; r++)                                    \
                for (size_t c = 0; c < cols; c++) probs[r * cols + c] = t[c * R + r] * f[r]; \
    }

TRANSPOSE_ROWS(f64, double)
TRANSPOSE_ROWS(f32, float)

#if defined(__x86_64__)
#define TILE_AVX2 __attribute__((target("avx2")))

/* An L x L tile transposed in registers: v[i] holds row i before, column i after. */
TILE_AVX2 static inline void tile_f32(__m256 *v) {
    __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]), t1 = _mm256_unpackhi_ps(v[0], v[1]);
    __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]), t3 = _mm256_unpackhi_ps(v[2], v[3]);
    __m256 t4 = _mm256_unpacklo_ps(v[4], v[5]), t5 = _mm256_unpackhi_ps(v[4], v[5]);
    __m256 t6 = _mm256_unpacklo_ps(v[6], v[7]), t7 = _mm256_unpackhi_ps(v[6], v[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    v[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    v[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    v[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    v[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    v[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    v[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    v[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    v[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

TILE_AVX2 static inline void tile_f64(__m256d *v) {
    __m256d t0 = _mm256_unpacklo_pd(v[0], v[1]), t1 = _mm256_unpackhi_pd(v[0], v[1]);
    __m256d t2 = _mm256_unpacklo_pd(v[2], v[3]), t3 = _mm256_unpackhi_pd(v[2], v[3]);
    v[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    v[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    v[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    v[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

/* Groups of L rows as L x L tiles: columns 0, L, ... and a last tile ending at
 * the last column, overlapping the one before and writing the same values
 * again. The rows after the last whole group go through a copy padded with
 * zero rows; rows shorter than L take the base level's loops. */
#define TRANSPOSE_TILES(SUFFIX, T, VT, L, LOADU, STOREU, MUL, SET1)           \
    TILE_AVX2 static inline void group_in_##SUFFIX(const T *x, size_t cols, T *t, size_t R) { \
        for (size_t c0 = 0;; c0 += L) {                                       \
            if (c0 + L > cols) c0 = cols - L;                                 \
            VT v[L];                                                          \
            for (size_t i = 0; i < L; i++) v[i] = LOADU(x + i * cols + c0);   \
            tile_##SUFFIX(v);                                                 \
            for (size_t k = 0; k < L; k++) STOREU(t + (c0 + k) * R, v[k]);    \
            if (c0 + L == cols) return;                                       \
        }                                                                     \
    }                                                                         \
    TILE_AVX2 static inline void group_out_##SUFFIX(const T *t, size_t R, size_t cols, const T *f, T *exps, \
                                                    T *probs) {               \
        for (size_t c0 = 0;; c0 += L) {                                       \
            if (c0 + L > cols) c0 = cols - L;                                 \
            VT v[L];                                                          \
            for (size_t k = 0; k < L; k++) v[k] = LOADU(t + (c0 + k) * R);    \
            tile_##SUFFIX(v);                                                 \
            for (size_t i = 0; i < L; i++) STOREU(exps + i * cols + c0, v[i]); \
            if (probs)                                                        \
                for (size_t i = 0; i < L; i++) STOREU(probs + i * cols + c0, MUL(v[i], SET1(f[i]))); \
            if (c0 + L == cols) return;                                       \
        }                                                                     \
    }                                                                         \
    TILE_AVX2 static void transpose_in_avx2_##SUFFIX(const T *x, size_t n, size_t R, size_t cols, T *t) { \
        if (cols < L) {                                                       \
            transpose_in_base_##SUFFIX(x, n, R, cols, t);                     \
            return;                                                           \
        }                                                                     \
        size_t r0 = 0;                                                        \
        for (; r0 + L <= n; r0 += L) group_in_##SUFFIX(x + r0 * cols, cols, t + r0, R); \
        for (; r0 < R; r0 += L) {                                             \
            T s[L * ACROSS_MAX_COLS];                                         \
            size_t m = r0 < n ? n - r0 : 0;                                   \
            if (m) memcpy(s, x + r0 * cols, m * cols * sizeof(T));            \
            memset(s + m * cols, 0, (L - m) * cols * sizeof(T));              \
            group_in_##SUFFIX(s, cols, t + r0, R);                            \
        }                                                                     \
    }                                                                         \
    TILE_AVX2 static void transpose_out_avx2_##SUFFIX(const T *t, size_t n, size_t R, size_t cols, const T *f, \
                                                      T *exps, T *probs) {    \
        if (cols < L) {                                                       \
            transpose_out_base_##SUFFIX(t, n, R, cols, f, exps, probs);       \
            return;                                                           \
        }                                                                     \
        size_t r0 = 0;                                                        \
        for (; r0 + L <= n; r0 += L)                                          \
            group_out_##SUFFIX(t + r0, R, cols, f + r0, exps + r0 * cols, probs ? probs + r0 * cols : NULL); \
        if (r0 < n) {                                                         \
            T se[L * ACROSS_MAX_COLS], sp[L * ACROSS_MAX_COLS];               \
            group_out_##SUFFIX(t + r0, R, cols, f + r0, se, probs ? sp : NULL); \
            memcpy(exps + r0 * cols, se, (n - r0) * cols * sizeof(T));        \
            if (probs) memcpy(probs + r0 * cols, sp, (n - r0) * cols * sizeof(T)); \
        }                                                                     \
    }

TRANSPOSE_TILES(f32, float, __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_mul_ps, _mm256_set1_ps)
TRANSPOSE_TILES(f64, double, __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_mul_pd, _mm256_set1_pd)
/* The AVX-512 level runs the AVX2 tiles (every AVX-512 CPU has AVX2). */
#define PICK_TRANSPOSE(L, DIR, T) ((L) >= LHVM_AVX2 ? transpose_##DIR##_avx2_##T : transpose_##DIR##_base_##T)
#else
#define PICK_TRANSPOSE(L, DIR, T) transpose_##DIR##_base_##T
#endif

/* The block through the transposes and the lanes above, ACROSS_ROWS rows at a
 * time; probs (when not NULL) written in the transpose back, with each row's
 * factor 1 / (1 + rest) rounded to T once, as lhvm_scale_rows rounds it. */
#define SOFTMAX_ACROSS(NAME, T, APPLY, SUFFIX)                                \
    static void NAME(const T *x, size_t rows, size_t cols, T *exps, T *probs, double *max, size_t *top, \
                     double *rest, lhvm_level use) {                          \
        T t[ACROSS_ROWS * ACROSS_MAX_COLS], m[ACROSS_ROWS], f[ACROSS_ROWS];   \
        unsigned tp[ACROSS_ROWS];                                             \
        double rs[ACROSS_ROWS];                                               \
        for (size_t r0 = 0; r0 < rows; r0 += ACROSS_ROWS) {                   \
            size_t n = rows - r0 < ACROSS_ROWS ? rows - r0 : ACROSS_ROWS;     \
            size_t R = (n + 7) & ~(size_t)7; /* whole vectors: pad rows of 0 */ \
            PICK_TRANSPOSE(use, in, SUFFIX)(x + r0 * cols, n, R, cols, t);   \
            PICK_ACROSS(use, SUFFIX, max_shift)(t, R, cols, m, tp);           \
            APPLY(LHVM_EXP, t, t, R * cols, use);                             \
            PICK_ACROSS(use, SUFFIX, rest)(t, R, cols, tp, rs);               \
            for (size_t r = 0; r < n; r++) {                                  \
                top[r0 + r] = tp[r];                                          \
                rest[r0 + r] = rs[r];                                         \
                max[r0 + r] = m[r];                                           \
            }                                                                 \
            if (probs)                                                        \
                for (size_t r = 0; r < R; r++) f[r] = (T)(1 / (1 + rs[r]));   \
            PICK_TRANSPOSE(use, out, SUFFIX)(t, n, R, cols, f, exps + r0 * cols, \
                                             probs ? probs + r0 * cols : NULL); \
        }                                                                     \
    }

SOFTMAX_ACROSS(softmax_across_f64, double, lhvm_apply_f64, f64)
SOFTMAX_ACROSS(softmax_across_f32, float, lhvm_apply_f32, f32)

SOFTMAX_SHIFT(shift_base_f64, , double)
SOFTMAX_SHIFT(shift_base_f32, , float)
SOFTMAX_REST(rest_base_f64, , double)
SOFTMAX_REST(rest_base_f32, , float)
SCALE_ROWS(scale_base_f64, , double)
SCALE_ROWS(scale_base_f32, , float)
#if defined(__x86_64__)
SOFTMAX_SHIFT(shift_avx2_f64, __attribute__((target("avx2"))), double)
SOFTMAX_SHIFT(shift_avx2_f32, __attribute__((target("avx2"))), float)
SOFTMAX_REST(rest_avx2_f64, __attribute__((target("avx2"))), double)
SOFTMAX_REST(rest_avx2_f32, __attribute__((target("avx2"))), float)
SCALE_ROWS(scale_avx2_f64, __attribute__((target("avx2"))), double)
SCALE_ROWS(scale_avx2_f32, __attribute__((target("avx2"))), float)
SOFTMAX_SHIFT(shift_avx512_f64, __attribute__((target("avx512f"))), double)
SOFTMAX_SHIFT(shift_avx512_f32, __attribute__((target("avx512f"))), float)
SOFTMAX_REST(rest_avx512_f64, __attribute__((target("avx512f"))), double)
SOFTMAX_REST(rest_avx512_f32, __attribute__((target("avx512f"))), float)
SCALE_ROWS(scale_avx512_f64, __attribute__((target("avx512f"))), double)
SCALE_ROWS(scale_avx512_f32, __attribute__((target("avx512f"))), float)
#define PICK_ROWS(L, NAME, T) ((L) == LHVM_AVX512 ? NAME##_avx512_##T : (L) == LHVM_AVX2 ? NAME##_avx2_##T : NAME##_base_##T)
#else
#define PICK_ROWS(L, NAME, T) NAME##_base_##T
#endif

#define SOFTMAX_ROWS(NAME, T, APPLY, SUFFIX)                                  \
    void NAME(const T *x, size_t rows, size_t cols, T *exps, T *probs, double *max, size_t *top, \
              double *rest, lhvm_level level) {                               \
        if (rows == 0 || cols == 0) return;                                   \
        lhvm_level use = usable(level);                                       \
        if (cols <= ACROSS_MAX_COLS && rows > 1) {                            \
            softmax_across_##SUFFIX(x, rows, cols, exps, probs, max, top, rest, use); \
            return;                                                           \
        }                                                                     \
        PICK_ROWS(use, shift, SUFFIX)(x, rows, cols, exps, max, top);         \
        APPLY(LHVM_EXP, exps, exps, rows * cols, use);                        \
        PICK_ROWS(use, rest, SUFFIX)(exps, rows, cols, top, rest);            \
        if (probs)                                                            \
            for (size_t r = 0; r < rows; r++) {                               \
                double f = 1 / (1 + rest[r]);                                 \
                PICK_ROWS(use, scale, SUFFIX)(exps + r * cols, 1, cols, &f, probs + r * cols); \
            }                                                                 \
    }

SOFTMAX_ROWS(lhvm_softmax_rows_f64, double, lhvm_apply_f64, f64)
SOFTMAX_ROWS(lhvm_softmax_rows_f32, float, lhvm_apply_f32, f32)

void lhvm_scale_rows_f64(const double *x, size_t rows, size_t cols, const double *factor, double *y, lhvm_level level) {
    PICK_ROWS(usable(level), scale, f64)(x, rows, cols, factor, y);
}
void lhvm_scale_rows_f32(const float *x, size_t rows, size_t cols, const double *factor, float *y, lhvm_level level) {
    PICK_ROWS(usable(level), scale, f32)(x, rows, cols, factor, y);
}
