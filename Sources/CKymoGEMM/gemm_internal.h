// Shared by gemm.c, gemm_avx512.c and winograd.c (not part of the public header).
#ifndef KYMO_GEMM_INTERNAL_H
#define KYMO_GEMM_INTERNAL_H

#include <immintrin.h>

/// A micro-kernel: c[mr×nr] (ldc) = (load ? c : 0) + Σ_p pa[p·mr + r] · pb[p·nr + j],
/// one FMA per p in increasing p for every element.
typedef void (*kymo_kernel)(long kc, const float *pa, const float *pb, float *c, long ldc, int load);

void kymo_kernel_avx512_12x32(long kc, const float *pa, const float *pb, float *c, long ldc, int load);

/// A whole micro-tile (mr × nr) reading B's rows in place (b[p·ldb + j], no packing).
typedef void (*kymo_direct_kernel)(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load);

void kymo_kernel_avx512_12x32_direct(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load);

/// An edge tile of exactly `rows` ≤ mr × `cols` ≤ nr, stored straight into c (nothing
/// outside the tile is read or written), from a packed panel or (direct) B's rows in place.
typedef void (*kymo_exact_kernel)(long kc, const float *pa, const float *pb, float *c, long ldc, int load, long rows, long cols);
typedef void (*kymo_exact_direct_kernel)(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load,
                                         long rows, long cols);

void kymo_kernel_avx512_exact(long kc, const float *pa, const float *pb, float *c, long ldc, int load, long rows, long cols);
void kymo_kernel_avx512_exact_direct(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load,
                                     long rows, long cols);

/// In-register transpose of 8 rows of 8: afterwards v[j] holds (v0[j], …, v7[j]).
__attribute__((target("avx2,fma")))
static inline void kymo_transpose8(__m256 v[8]) {
    __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]), t1 = _mm256_unpackhi_ps(v[0], v[1]);
    __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]), t3 = _mm256_unpackhi_ps(v[2], v[3]);
    __m256 t4 = _mm256_unpacklo_ps(v[4], v[5]), t5 = _mm256_unpackhi_ps(v[4], v[5]);
    __m256 t6 = _mm256_unpacklo_ps(v[6], v[7]), t7 = _mm256_unpackhi_ps(v[6], v[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    v[0] = _mm256_permute2f128_ps(s0, s4, 0x20); v[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    v[2] = _mm256_permute2f128_ps(s2, s6, 0x20); v[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    v[4] = _mm256_permute2f128_ps(s0, s4, 0x31); v[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    v[6] = _mm256_permute2f128_ps(s2, s6, 0x31); v[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

#endif
