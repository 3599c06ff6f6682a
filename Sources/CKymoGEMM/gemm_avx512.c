// The AVX-512F micro-kernel: 12 rows × 32 columns (24 accumulators), the same
// per-element FMA chain as the AVX2 kernel in gemm.c (so the same bits), at
// twice the width. Only called when cpu.c finds AVX-512F with ZMM state enabled.
#include "gemm_internal.h"
#include <immintrin.h>

#define ROW_LOAD(r) \
    c##r##0 = load ? _mm512_loadu_ps(c + r * ldc) : _mm512_setzero_ps(); \
    c##r##1 = load ? _mm512_loadu_ps(c + r * ldc + 16) : _mm512_setzero_ps();
#define ROW_FMA(r) \
    a = _mm512_set1_ps(pa[r]); \
    c##r##0 = _mm512_fmadd_ps(a, b0, c##r##0); \
    c##r##1 = _mm512_fmadd_ps(a, b1, c##r##1);
#define ROW_STORE(r) \
    _mm512_storeu_ps(c + r * ldc, c##r##0); \
    _mm512_storeu_ps(c + r * ldc + 16, c##r##1);

__attribute__((target("avx512f,avx2,fma")))
void kymo_kernel_avx512_12x32(long kc, const float *pa, const float *pb, float *c, long ldc, int load) {
    __m512 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    __m512 c60, c61, c70, c71, c80, c81, c90, c91, c100, c101, c110, c111;
    ROW_LOAD(0) ROW_LOAD(1) ROW_LOAD(2) ROW_LOAD(3) ROW_LOAD(4) ROW_LOAD(5)
    ROW_LOAD(6) ROW_LOAD(7) ROW_LOAD(8) ROW_LOAD(9) ROW_LOAD(10) ROW_LOAD(11)
    for (long p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(pb), b1 = _mm512_load_ps(pb + 16), a;
        ROW_FMA(0) ROW_FMA(1) ROW_FMA(2) ROW_FMA(3) ROW_FMA(4) ROW_FMA(5)
        ROW_FMA(6) ROW_FMA(7) ROW_FMA(8) ROW_FMA(9) ROW_FMA(10) ROW_FMA(11)
        pa += 12; pb += 32;
    }
    ROW_STORE(0) ROW_STORE(1) ROW_STORE(2) ROW_STORE(3) ROW_STORE(4) ROW_STORE(5)
    ROW_STORE(6) ROW_STORE(7) ROW_STORE(8) ROW_STORE(9) ROW_STORE(10) ROW_STORE(11)
}
