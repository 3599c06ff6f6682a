// The AVX-512F micro-kernels: 12 rows × 32 columns (24 accumulators), the same
// per-element FMA chain as the AVX2 kernel in gemm.c (so the same bits), at
// twice the width; and, for edge tiles, the same kernel cut to 6 rows and/or
// 16 columns, so a ragged edge does not pay for a whole 12×32 tile (an edge
// of 16 columns costs half a tile, not a whole one). Every kernel reads the
// packed panels of the 12×32 path (A: 12 per k, B: 32 per k) and runs, per
// element, the chain c = fma(a, b, c) over k in increasing order, so which
// kernel covers a tile changes no bit. A ragged edge tile is computed with
// exactly its rows (1–12) and stored through a column mask straight into C
// (kernel_exact), so it neither computes rows that do not exist nor goes
// through a full-tile buffer. Only called when cpu.c finds AVX-512F with ZMM
// state enabled.
#include "gemm_internal.h"
#include <immintrin.h>

/// A tile of exactly R rows × (V − 1)·16 + popcount(last) columns: c = fma(a, b, c) over k
/// in increasing order for every stored element, C read and written through the column
/// mask of the last vector, so nothing outside the tile is touched (no full-tile buffer to
/// copy through) and only the R rows that exist are computed; pb a packed panel (ldb 32,
/// aligned) or, `packed` 0, rows of B itself.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void kernel_exact(long kc, const float *pa, const float *pb, long ldb, float *c, long ldc, int load,
                                const int R, const int V, const int packed, __mmask16 last) {
    __m512 acc[12][2];
    const __mmask16 m0 = V > 1 ? (__mmask16)0xFFFF : last;
    for (int r = 0; r < R; r++) {
        acc[r][0] = load ? _mm512_maskz_loadu_ps(m0, c + r * ldc) : _mm512_setzero_ps();
        if (V > 1) acc[r][1] = load ? _mm512_maskz_loadu_ps(last, c + r * ldc + 16) : _mm512_setzero_ps();
    }
    for (long p = 0; p < kc; p++) {
        __m512 b0 = packed ? _mm512_load_ps(pb) : _mm512_loadu_ps(pb);
        __m512 b1 = V > 1 ? (packed ? _mm512_load_ps(pb + 16) : _mm512_loadu_ps(pb + 16)) : b0;
        for (int r = 0; r < R; r++) {
            __m512 a = _mm512_set1_ps(pa[r]);
            acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
            if (V > 1) acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
        }
        pa += 12; pb += ldb;
    }
    for (int r = 0; r < R; r++) {
        _mm512_mask_storeu_ps(c + r * ldc, m0, acc[r][0]);
        if (V > 1) _mm512_mask_storeu_ps(c + r * ldc + 16, last, acc[r][1]);
    }
}

/// c[R×16V] (ldc) = (load ? c : 0) + Σ_p pa[p·12 + r] · pb[p·ldb + j]: R ≤ 12 rows, V ≤ 2 vectors
/// of 16; pb a packed panel (ldb 32, aligned) or, `packed` 0, rows of B itself. kernel_exact with
/// every column: the constant all-ones masks compile to plain loads and stores.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void kernel_rvb(long kc, const float *pa, const float *pb, long ldb, float *c, long ldc, int load,
                              const int R, const int V, const int packed) {
    kernel_exact(kc, pa, pb, ldb, c, ldc, load, R, V, packed, (__mmask16)0xFFFF);
}

#define kernel_rv(kc, pa, pb, c, ldc, load, R, V) kernel_rvb(kc, pa, pb, 32, c, ldc, load, R, V, 1)

__attribute__((target("avx512f,avx2,fma")))
void kymo_kernel_avx512_12x32_direct(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load) {
    kernel_rvb(kc, pa, b, ldb, c, ldc, load, 12, 2, 0);
}

__attribute__((target("avx512f,avx2,fma")))
void kymo_kernel_avx512_12x32(long kc, const float *pa, const float *pb, float *c, long ldc, int load) {
    kernel_rv(kc, pa, pb, c, ldc, load, 12, 2);
}

#define EXACT_CASE(R) case R: \
    if (cols > 16) kernel_exact(kc, pa, pb, ldb, c, ldc, load, R, 2, packed, (__mmask16)((1u << (cols - 16)) - 1)); \
    else kernel_exact(kc, pa, pb, ldb, c, ldc, load, R, 1, packed, (__mmask16)((1u << cols) - 1)); \
    break;

__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void exact_dispatch(long kc, const float *pa, const float *pb, long ldb, float *c, long ldc, int load,
                                  long rows, long cols, const int packed) {
    switch (rows) {
        EXACT_CASE(1) EXACT_CASE(2) EXACT_CASE(3) EXACT_CASE(4) EXACT_CASE(5) EXACT_CASE(6)
        EXACT_CASE(7) EXACT_CASE(8) EXACT_CASE(9) EXACT_CASE(10) EXACT_CASE(11) EXACT_CASE(12)
        default: break;
    }
}

__attribute__((target("avx512f,avx2,fma")))
void kymo_kernel_avx512_exact(long kc, const float *pa, const float *pb, float *c, long ldc, int load, long rows, long cols) {
    exact_dispatch(kc, pa, pb, 32, c, ldc, load, rows, cols, 1);
}

__attribute__((target("avx512f,avx2,fma")))
void kymo_kernel_avx512_exact_direct(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load,
                                     long rows, long cols) {
    exact_dispatch(kc, pa, b, ldb, c, ldc, load, rows, cols, 0);
}
