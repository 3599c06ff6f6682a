// Kymo's own single-precision GEMM and the CPU check that guards it.
// Row-major C[m×n] (ldc) = (accumulate ? C : 0) + op(A)[m×k] · op(B)[k×n].
// Every output element is one fused multiply-add chain over k in increasing
// order, starting from 0 (or from C when accumulating), so the result does not
// depend on blocking, tile order, vector width or the CPU that runs it.
#ifndef KYMO_GEMM_H
#define KYMO_GEMM_H

#ifdef __cplusplus
extern "C" {
#endif

/// op(A)(i, p) = transA ? a[p·lda + i] : a[i·lda + p]; op(B)(p, j) = transB ? b[j·ldb + p] : b[p·ldb + j].
void kymo_sgemm(int transA, int transB, long m, long n, long k,
                const float *a, long lda, const float *b, long ldb,
                float *c, long ldc, int accumulate);

/// A left operand packed once for many products (for example convolution
/// weights used at every time step): `kymo_sgemm_packed_a_count(m, k)` floats
/// (enough for every path), filled by `kymo_sgemm_pack_a` in the micro-panel
/// layout of the path in use, whose number it returns. `kymo_sgemm_packed` then
/// computes what kymo_sgemm(transA, transB, m, n, k, a, lda, …) would, bit for
/// bit (the kernel reads exactly the values kymo_sgemm would have packed), on
/// the path the operand was packed for.
long kymo_sgemm_packed_a_count(long m, long k);
int kymo_sgemm_pack_a(int transA, long m, long k, const float *a, long lda, float *packed);
void kymo_sgemm_packed(int path, const float *packedA, int transB, long m, long n, long k,
                       const float *b, long ldb, float *c, long ldc, int accumulate);

/// z[ci·ldz + r] = Σ_j a[r·lda + j]·v[ci·ldv + j] for r < rows, ci < c, with c ≤ 4: what
/// kymo_sgemm(0, 1, c, rows, m, v, ldv, a, lda, z, ldz, 0) gives, bit for bit, with eight
/// rows of a in the lanes of each chain (rows_dot.c). Returns 0 (and writes nothing) for c > 4.
int kymo_rows_dot(const float *a, long lda, long rows, long m, const float *v, long ldv, int c, float *z, long ldz);

/// dst[p·ldd + r] = src[r·lds + p] for r < rows, p < cols, and +0 for rows ≤ r < width:
/// the packing's transpose (8×8, 4×4 and 2×4 register transposes), for callers that
/// need a transposed operand of their own. Moves values only.
void kymo_transpose(const float *src, long lds, long rows, long cols, float *dst, long ldd, long width);

/// Kernel paths: 1 = AVX2 + FMA (6×16), 2 = AVX-512F (12×32).
enum { KYMO_GEMM_AVX2 = 1, KYMO_GEMM_AVX512 = 2 };

/// The path kymo_sgemm uses now (the best the CPU supports unless forced).
int kymo_gemm_path(void);
/// 1 if this CPU has AVX-512F but that path failed its start-up comparison with
/// the AVX2 path (so the automatic choice stayed on AVX2), else 0.
int kymo_gemm_avx512_selfcheck_failed(void);
/// Forces a path (0 = automatic). Returns 0 if the CPU cannot run it, else 1. For tests and benchmarks.
int kymo_gemm_force_path(int path);

/// 1 if this CPU and OS support what Kymo's compiled code needs (AVX2, FMA and
/// the rest of `-target-cpu haswell`: BMI1/2, F16C, LZCNT, MOVBE, POPCNT), else 0.
int kymo_cpu_has_avx2_fma(void);
/// The names of the required features this CPU lacks, space-separated ("" if none).
const char *kymo_cpu_missing_features(void);
/// 1 if this CPU and OS support AVX-512F with ZMM state enabled, else 0.
int kymo_cpu_has_avx512f(void);
/// The CPU's brand string (cpuid leaves 0x80000002–4), e.g. "AMD EPYC"; `buf` receives up to 48 bytes + NUL.
void kymo_cpu_brand(char *buf, int size);

/// Runs `rounds` rounds of independent FMA chains at the vector width of GEMM
/// path `path` (KYMO_GEMM_AVX2: 12 chains × 8 lanes; KYMO_GEMM_AVX512: 16 × 16)
/// and returns a value that depends on every chain. `*lanes` and `*chains`
/// receive the kernel's vector lanes and chain count (0 when the CPU cannot
/// run that path). One round is lanes × chains FMAs. For `kymo bench engine`.
float kymo_fma_peak_chains(int path, long rounds, float seed, int *lanes, int *chains);

/// `kymo_fma_peak_chains(path, rounds, …)` on `threads` threads at once (1 … 256), released
/// together once all exist: the wall seconds from the first start to the last end, so the
/// rate of all threads together is threads · rounds · lanes · chains · 2 / seconds — what the
/// cores give when every thread computes (two hyperthreads of one core share its FMA units;
/// more threads than cores share the cores). `*ran`: the threads that ran the chains
/// (`threads`, or 0 when the path cannot run here or a thread could not start).
double kymo_fma_peak_concurrent(int path, long rounds, int threads, int *lanes, int *chains, int *ran);

#ifdef __cplusplus
}
#endif
#endif
