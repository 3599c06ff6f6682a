// The per-product GEMM rates behind docs/engine.md ("Speed"): the products of a
// per-sample (lane) training step on a 16×16 grid — the Winograd forward,
// input-gradient and weight-gradient products of the ConvLSTM gate convolution,
// the attention products with d = 8 rows, a 1×1 convolution — and the bench's
// gate shapes, each timed in thread CPU time (best of 15, so that other jobs on
// a shared machine inflate it least) and printed in GFLOP/s and % of the FMA
// peak of the path's vector width, measured the same way. Not part of the
// build or the tests; compile it against a checkout's CKymoGEMM:
//
//   clang -O3 -ffp-contract=off -march=haswell -ISources/CKymoGEMM/include \
//     Sources/CKymoGEMM/gemm.c Sources/CKymoGEMM/gemm_avx512.c Sources/CKymoGEMM/cpu.c \
//     Sources/CKymoGEMM/fma_peak.c scripts/gemm-products.c -o /tmp/gemm-products -lpthread
//   /tmp/gemm-products 2     # path: 1 = AVX2, 2 = AVX-512
#include "kymo_gemm.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *values(long n) {
    float *p = aligned_alloc(64, (size_t)((n * 4 + 63) / 64 * 64));
    unsigned s = (unsigned)n * 7 + 1;
    for (long i = 0; i < n; i++) { s = s * 1103515245u + 12345u; p[i] = (float)((int)(s >> 9) - (1 << 21)) * 0x1p-21f; }
    return p;
}

typedef struct { const char *name; int packedA, transB; long m, n, k, ldc, lda, transA, ldb; } product;   // lda 0: k (m if transA); ldb 0: n (k if transB)

int main(int argc, char **argv) {
    int path = argc > 1 ? atoi(argv[1]) : KYMO_GEMM_AVX512;
    if (!kymo_gemm_force_path(path)) { fprintf(stderr, "this CPU cannot run GEMM path %d\n", path); return 1; }
    int lanes = 0, chains = 0;
    float sink = 0;
    double best = 1e9;
    for (int r = 0; r < 16; r++) {
        double t0 = cpu_seconds();
        sink += kymo_fma_peak_chains(path, 500000, sink, &lanes, &chains);
        double t = cpu_seconds() - t0;
        if (t < best) best = t;
    }
    double peak = 500000.0 * lanes * chains * 2 / best / 1e9;
    printf("GEMM path %d, FMA peak %.1f GFLOP/s per core (%d chains of %d lanes)%s\n", path, peak, chains, lanes, sink != sink ? " " : "");
    const product products[] = {
        {"winograd fwd 128x64x48 (V packed once)", 1, 0, 128, 64, 48, 16 * 64},
        {"winograd fwd 128x64x64 (V packed once)", 1, 0, 128, 64, 64, 16 * 64},
        {"winograd dX 48x64x128 (V packed once)", 1, 0, 48, 64, 128, 16 * 64},
        {"winograd dX 64x64x128 (V packed once)", 1, 0, 64, 64, 128, 16 * 64},
        {"winograd dW 128x48x64 (B transposed)", 0, 1, 128, 48, 64, 48},
        {"winograd dW 128x64x64 (B transposed)", 0, 1, 128, 64, 64, 64},
        {"bench conv 16x16 fwd 256x128x128", 1, 0, 256, 128, 128, 16 * 128},
        {"bench conv 16x16 dW 256x128x128", 0, 1, 256, 128, 128, 128},
        {"sgemm 256x256x1152", 0, 0, 256, 256, 1152, 256},
        {"sgemm 256x2048x1152", 0, 0, 256, 2048, 1152, 2048},
        {"attention dk 8x1024x256", 0, 0, 8, 1024, 256, 1024},
        {"attention dq 8x256x1024 (B transposed)", 0, 1, 8, 256, 1024, 256},
        {"attention z 32x256x1024 (B transposed)", 0, 1, 32, 256, 1024, 256},
        {"attention zT 256x32x1024 (A's rows in place)", 0, 0, 256, 32, 1024, 32},
        {"attention dv 32x1024x256", 0, 0, 32, 1024, 256, 1024},
        {"attention dv 32x1024x256 (lda 1024)", 0, 0, 32, 1024, 256, 1024, 1024},
        {"attention dv 32x256x256 (the kept 16x16 map)", 0, 0, 32, 256, 256, 256, 256},
        {"attention dA 256x1024x32 (A transposed, lda 1024)", 0, 0, 256, 1024, 32, 1024, 1024, 1},
        {"attention dA, ldc 1040", 0, 0, 256, 1024, 32, 1040, 1024, 1},
        {"attention dk, ldb 1040", 0, 0, 8, 1024, 256, 1024, 0, 0, 1040},
        {"attention dv (lda 1024), ldb 1040", 0, 0, 32, 1024, 256, 1024, 1024, 0, 1040},
        {"16x16 grid zT 256x32x256 (A's rows in place)", 0, 0, 256, 32, 256, 32},
        {"16x16 grid dA 256x256x32 (A transposed)", 0, 0, 256, 256, 32, 256, 256, 1},
        {"16x16 grid dk 8x256x256", 0, 0, 8, 256, 256, 256},
        {"16x16 grid 1x1 conv 8x256x32", 0, 0, 8, 256, 32, 256},
        {"16x16 grid 1x1 conv 32x256x32", 0, 0, 32, 256, 32, 256},
        {"1x1 conv 16x256x64", 0, 0, 16, 256, 64, 256},
        {"1x1 conv 32x32 grid 8x1024x32", 0, 0, 8, 1024, 32, 1024},
        {"1x1 conv 32x32 grid 32x1024x32", 0, 0, 32, 1024, 32, 1024},
        {"1x1 conv 32x32 grid 96x1024x64", 0, 0, 96, 1024, 64, 1024},
    };
    for (unsigned i = 0; i < sizeof products / sizeof *products; i++) {
        product z = products[i];
        const long lda = z.lda ? z.lda : z.transA ? z.m : z.k;
        float *a = values((z.transA ? z.k : z.m) * lda), *b = values(z.transB ? z.n * (z.ldb ? z.ldb : z.k) : z.k * (z.ldb ? z.ldb : z.n)), *c = values(z.m * z.ldc);
        float *pa = aligned_alloc(64, (size_t)kymo_sgemm_packed_a_count(z.m, z.k) * 4 + 64);
        int packedPath = kymo_sgemm_pack_a(0, z.m, z.k, a, lda, pa);
        long reps = (long)(2e8 / (2.0 * z.m * z.n * z.k)) + 1;
        double fastest = 1e9;
        for (int r = 0; r < 15; r++) {
            double t0 = cpu_seconds();
            for (long j = 0; j < reps; j++) {
                if (z.packedA) kymo_sgemm_packed(packedPath, pa, z.transB, z.m, z.n, z.k, b, z.ldb ? z.ldb : z.transB ? z.k : z.n, c, z.ldc, 0);
                else kymo_sgemm((int)z.transA, z.transB, z.m, z.n, z.k, a, lda, b, z.ldb ? z.ldb : z.transB ? z.k : z.n, c, z.ldc, 0);
            }
            double t = (cpu_seconds() - t0) / reps;
            if (t < fastest) fastest = t;
        }
        double gflops = 2.0 * z.m * z.n * z.k / fastest / 1e9;
        printf("%-42s %9.2f us %7.1f GFLOP/s %4.0f%%\n", z.name, fastest * 1e6, gflops, 100 * gflops / peak);
        free(a); free(b); free(c); free(pa);
    }
    return 0;
}
