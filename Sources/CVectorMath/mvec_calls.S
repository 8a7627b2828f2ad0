/* Loops that call libmvec's AVX2 and AVX-512 functions through the x86-64
 * vector function ABI (arguments and result in ymm / zmm registers). Written in
 * assembly because C compiled without -mavx2 / -mavx512f at file level (no
 * unsafe flags) passes 256- and 512-bit vectors in memory, which libmvec does
 * not expect.
 *
 *   unary:  void NAME(const T *x, T *y, size_t vectors)       y = f(x)
 *   binary: void NAME(const T *x, const T *y, T *z, size_t vectors)  z = f(x, y)
 *
 * `vectors` whole vectors are processed; the C side handles the tail. */

#if defined(__x86_64__) && defined(__ELF__)

#define UNARY(NAME, FN, REG, BYTES)                                           \
    .globl NAME;                                                              \
    .hidden NAME;                                                             \
    .type NAME, @function;                                                    \
    .p2align 4;                                                               \
NAME:                                                                         \
    endbr64;                                                                  \
    push %rbp;                                                                \
    mov %rsp, %rbp;                                                           \
    push %rbx;                                                                \
    push %r12;                                                                \
    push %r13;                                                                \
    and $-64, %rsp;                                                           \
    mov %rdi, %rbx;                                                           \
    mov %rsi, %r12;                                                           \
    mov %rdx, %r13;                                                           \
    test %r13, %r13;                                                          \
    jz 2f;                                                                    \
1:  vmovupd (%rbx), REG;                                                      \
    call FN@PLT;                                                              \
    vmovupd REG, (%r12);                                                      \
    add $BYTES, %rbx;                                                         \
    add $BYTES, %r12;                                                         \
    dec %r13;                                                                 \
    jnz 1b;                                                                   \
2:  vzeroupper;                                                               \
    lea -24(%rbp), %rsp;                                                      \
    pop %r13;                                                                 \
    pop %r12;                                                                 \
    pop %rbx;                                                                 \
    pop %rbp;                                                                 \
    ret;                                                                      \
    .size NAME, .-NAME

#define BINARY(NAME, FN, REG0, REG1, BYTES)                                   \
    .globl NAME;                                                              \
    .hidden NAME;                                                             \
    .type NAME, @function;                                                    \
    .p2align 4;                                                               \
NAME:                                                                         \
    endbr64;                                                                  \
    push %rbp;                                                                \
    mov %rsp, %rbp;                                                           \
    push %rbx;                                                                \
    push %r12;                                                                \
    push %r13;                                                                \
    push %r14;                                                                \
    and $-64, %rsp;                                                           \
    mov %rdi, %rbx;                                                           \
    mov %rsi, %r14;                                                           \
    mov %rdx, %r12;                                                           \
    mov %rcx, %r13;                                                           \
    test %r13, %r13;                                                          \
    jz 2f;                                                                    \
1:  vmovupd (%rbx), REG0;                                                     \
    vmovupd (%r14), REG1;                                                     \
    call FN@PLT;                                                              \
    vmovupd REG0, (%r12);                                                     \
    add $BYTES, %rbx;                                                         \
    add $BYTES, %r14;                                                         \
    add $BYTES, %r12;                                                         \
    dec %r13;                                                                 \
    jnz 1b;                                                                   \
2:  vzeroupper;                                                               \
    lea -32(%rbp), %rsp;                                                      \
    pop %r14;                                                                 \
    pop %r13;                                                                 \
    pop %r12;                                                                 \
    pop %rbx;                                                                 \
    pop %rbp;                                                                 \
    ret;                                                                      \
    .size NAME, .-NAME

    .text

UNARY(lhvm_avx2_exp_f64, _ZGVdN4v_exp, %ymm0, 32)
UNARY(lhvm_avx2_log_f64, _ZGVdN4v_log, %ymm0, 32)
UNARY(lhvm_avx2_log1p_f64, _ZGVdN4v_log1p, %ymm0, 32)
UNARY(lhvm_avx2_expm1_f64, _ZGVdN4v_expm1, %ymm0, 32)
BINARY(lhvm_avx2_pow_f64, _ZGVdN4vv_pow, %ymm0, %ymm1, 32)
UNARY(lhvm_avx2_exp_f32, _ZGVdN8v_expf, %ymm0, 32)
UNARY(lhvm_avx2_log_f32, _ZGVdN8v_logf, %ymm0, 32)
UNARY(lhvm_avx2_log1p_f32, _ZGVdN8v_log1pf, %ymm0, 32)
UNARY(lhvm_avx2_expm1_f32, _ZGVdN8v_expm1f, %ymm0, 32)
BINARY(lhvm_avx2_pow_f32, _ZGVdN8vv_powf, %ymm0, %ymm1, 32)

UNARY(lhvm_avx512_exp_f64, _ZGVeN8v_exp, %zmm0, 64)
UNARY(lhvm_avx512_log_f64, _ZGVeN8v_log, %zmm0, 64)
UNARY(lhvm_avx512_log1p_f64, _ZGVeN8v_log1p, %zmm0, 64)
UNARY(lhvm_avx512_expm1_f64, _ZGVeN8v_expm1, %zmm0, 64)
BINARY(lhvm_avx512_pow_f64, _ZGVeN8vv_pow, %zmm0, %zmm1, 64)
UNARY(lhvm_avx512_exp_f32, _ZGVeN16v_expf, %zmm0, 64)
UNARY(lhvm_avx512_log_f32, _ZGVeN16v_logf, %zmm0, 64)
UNARY(lhvm_avx512_log1p_f32, _ZGVeN16v_log1pf, %zmm0, 64)
UNARY(lhvm_avx512_expm1_f32, _ZGVeN16v_expm1f, %zmm0, 64)
BINARY(lhvm_avx512_pow_f32, _ZGVeN16vv_powf, %zmm0, %zmm1, 64)

#endif

#if defined(__ELF__)
    .section .note.GNU-stack, "", @progbits
#endif
