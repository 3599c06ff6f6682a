// kymo_rows_dot: the product of many rows with a few vectors, z = v·Aᵀ for
// v of c ≤ 4 rows (the attention's output for values of C ≤ 4 channels).
// As a kymo_sgemm call its 16-column tiles hold c columns, so six FMA chains
// of m steps each wait on themselves; here each chain carries eight rows of A
// in its lanes (their columns through 8×8 register transposes), with several
// groups of eight in flight.
//
// The bits: every element is kymo_sgemm's chain (kymo_gemm.h), one FMA per j
// in increasing order from +0, so z is what kymo_sgemm(0, 1, c, rows, m, v,
// ldv, a, lda, z, ldz, 0) gives (`AttentionKernelTests`). Needs AVX2 + FMA.
#include "kymo_gemm.h"
#include "gemm_internal.h"
#include <immintrin.h>

#pragma clang attribute push (__attribute__((target("avx2,fma"))), apply_to = function)

/// Rows r0 ..< r0 + count (count ≤ 8·G) of z, for C channels: lanes past
/// `count` repeat the last row (independent chains, never stored).
static inline __attribute__((always_inline))
void rows_dot_group(int G, int C, const float *a, long lda, long count, long m,
                    const float *v, long ldv, float *z, long ldz) {
    const float *row[32];
    for (int i = 0; i < 8 * G; i++) row[i] = a + (i < count ? i : count - 1) * lda;
    __m256 acc[4][4];
    for (int g = 0; g < G; g++)
        for (int ci = 0; ci < C; ci++) acc[g][ci] = _mm256_setzero_ps();
    long j = 0;
    for (; j + 8 <= m; j += 8) {
        for (int g = 0; g < G; g++) {
            __m256 x[8];
            for (int i = 0; i < 8; i++) x[i] = _mm256_loadu_ps(row[8 * g + i] + j);
            kymo_transpose8(x);   // x[l]: column j + l of the group's eight rows
            for (int l = 0; l < 8; l++)
                for (int ci = 0; ci < C; ci++)
                    acc[g][ci] = _mm256_fmadd_ps(x[l], _mm256_broadcast_ss(v + ci * ldv + j + l), acc[g][ci]);
        }
    }
    for (; j < m; j++)
        for (int g = 0; g < G; g++) {
            const float *const *p = row + 8 * g;
            __m256 col = _mm256_setr_ps(p[0][j], p[1][j], p[2][j], p[3][j], p[4][j], p[5][j], p[6][j], p[7][j]);
            for (int ci = 0; ci < C; ci++)
                acc[g][ci] = _mm256_fmadd_ps(col, _mm256_broadcast_ss(v + ci * ldv + j), acc[g][ci]);
        }
    for (int g = 0; g < G; g++) {
        long lanes = count - 8 * g;
        if (lanes <= 0) break;
        for (int ci = 0; ci < C; ci++) {
            float *dst = z + ci * ldz + 8 * g;
            if (lanes >= 8) {
                _mm256_storeu_ps(dst, acc[g][ci]);
            } else {
                float t[8];
                _mm256_storeu_ps(t, acc[g][ci]);
                for (long i = 0; i < lanes; i++) dst[i] = t[i];
            }
        }
    }
}

/// Every row of a in groups of 8·G, then the rest eight at a time.
static inline __attribute__((always_inline))
void rows_dot_c(int G, int C, const float *a, long lda, long rows, long m, const float *v, long ldv, float *z, long ldz) {
    long r = 0;
    for (; r + 8 * G <= rows; r += 8 * G) rows_dot_group(G, C, a + r * lda, lda, 8 * G, m, v, ldv, z + r, ldz);
    for (; r < rows; r += 8) {
        long count = rows - r < 8 ? rows - r : 8;
        rows_dot_group(1, C, a + r * lda, lda, count, m, v, ldv, z + r, ldz);
    }
}

int kymo_rows_dot(const float *a, long lda, long rows, long m, const float *v, long ldv, int c, float *z, long ldz) {
    if (rows <= 0) return 1;
    switch (c) {   // groups in flight: 4, 2, 2 and 1 (4·C chains at most, their columns and accumulators in registers)
    case 1: rows_dot_c(4, 1, a, lda, rows, m, v, ldv, z, ldz); return 1;
    case 2: rows_dot_c(2, 2, a, lda, rows, m, v, ldv, z, ldz); return 1;
    case 3: rows_dot_c(2, 3, a, lda, rows, m, v, ldv, z, ldz); return 1;
    case 4: rows_dot_c(1, 4, a, lda, rows, m, v, ldv, z, ldz); return 1;
    default: return 0;
    }
}

#pragma clang attribute pop
