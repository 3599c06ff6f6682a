// The FMA peak kernels behind `kymo bench engine`: independent fused
// multiply-add chains at the vector width of each GEMM path, so that the
// "% of peak" Kymo prints is measured against the units that path uses.
// AVX2: 12 chains of 8 lanes (ymm). AVX-512: 16 chains of 16 lanes (zmm),
// enough to keep two full-width 512-bit FMA units busy (latency 4 × 2 units =
// 8 chains needed; 16 hides scheduling gaps) and a double-pumped unit as well.
// Timing only: no result of Kymo depends on these.
#include "kymo_gemm.h"
#include <immintrin.h>

#define CHAINS12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define CHAINS16(X) CHAINS12(X) X(12) X(13) X(14) X(15)

__attribute__((target("avx2,fma"), noinline))
static float peak_avx2(long rounds, float seed) {
    __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f + seed * 1e-30f);
#define INIT(i) __m256 r##i = _mm256_set1_ps((float)i);
#define STEP(i) r##i = _mm256_fmadd_ps(b, r##i, a);
#define ADD(i) s = _mm256_add_ps(s, r##i);
    CHAINS12(INIT)
    for (long n = 0; n < rounds; n++) { CHAINS12(STEP) }
    __m256 s = _mm256_setzero_ps();
    CHAINS12(ADD)
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[7];
#undef INIT
#undef STEP
#undef ADD
}

__attribute__((target("avx512f,avx2,fma"), noinline))
static float peak_avx512(long rounds, float seed) {
    __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f + seed * 1e-30f);
#define INIT(i) __m512 r##i = _mm512_set1_ps((float)i);
#define STEP(i) r##i = _mm512_fmadd_ps(b, r##i, a);
#define ADD(i) s = _mm512_add_ps(s, r##i);
    CHAINS16(INIT)
    for (long n = 0; n < rounds; n++) { CHAINS16(STEP) }
    __m512 s = _mm512_setzero_ps();
    CHAINS16(ADD)
    float out[16];
    _mm512_storeu_ps(out, s);
    return out[0] + out[15];
#undef INIT
#undef STEP
#undef ADD
}

float kymo_fma_peak_chains(int path, long rounds, float seed, int *lanes, int *chains) {
    if (path == KYMO_GEMM_AVX512) {
        if (!kymo_cpu_has_avx512f()) { *lanes = 0; *chains = 0; return 0; }
        *lanes = 16; *chains = 16;
        return peak_avx512(rounds, seed);
    }
    *lanes = 8; *chains = 12;
    return peak_avx2(rounds, seed);
}
