// The FMA peak kernels behind `kymo bench engine`: independent fused
// multiply-add chains at the vector width of each GEMM path, so that the
// "% of peak" Kymo prints is measured against the units that path uses.
// AVX2: 12 chains of 8 lanes (ymm). AVX-512: 16 chains of 16 lanes (zmm),
// enough to keep two full-width 512-bit FMA units busy (latency 4 × 2 units =
// 8 chains needed; 16 hides scheduling gaps) and a double-pumped unit as well.
// `kymo_fma_peak_concurrent` runs them on every thread at once, so the peak
// "on N threads" is what the cores give together (hyperthreads share a core's
// units), not N times one thread's rate.
// Timing only: no result of Kymo depends on these.
#include "kymo_gemm.h"
#include <immintrin.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

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

typedef struct {
    atomic_int *go;   // 0: wait, 1: run, −1: leave without running
    atomic_int *ran;
    int path;
    long rounds;
    double began, ended;
    float result;
} peak_thread;

static volatile float peak_sink;   // keeps the chains' results alive

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *peak_thread_main(void *arg) {
    peak_thread *t = arg;
    int go, lanes, chains;
    while ((go = atomic_load(t->go)) == 0) _mm_pause();   // released together once every thread exists
    if (go < 0) return NULL;
    t->began = now_seconds();
    t->result = kymo_fma_peak_chains(t->path, t->rounds, 0, &lanes, &chains);
    t->ended = now_seconds();
    atomic_fetch_add(t->ran, 1);
    return NULL;
}

double kymo_fma_peak_concurrent(int path, long rounds, int threads, int *lanes, int *chains, int *ran) {
    *ran = 0;
    (void)kymo_fma_peak_chains(path, 1, 0, lanes, chains);
    if (*lanes == 0 || threads < 1 || threads > 256) return 0;
    pthread_t ids[256];
    peak_thread work[256];
    atomic_int go = 0, count = 0;
    int started = 0;
    for (; started < threads; started++) {
        work[started] = (peak_thread){&go, &count, path, rounds, 0, 0, 0};
        if (pthread_create(&ids[started], NULL, peak_thread_main, &work[started])) break;
    }
    atomic_store(&go, started == threads ? 1 : -1);
    for (int i = 0; i < started; i++) pthread_join(ids[i], NULL);
    if (started < threads) return 0;   // a thread could not start: nothing measured
    double first = work[0].began, last = work[0].ended;
    float sink = 0;
    for (int i = 0; i < threads; i++) {
        if (work[i].began < first) first = work[i].began;
        if (work[i].ended > last) last = work[i].ended;
        sink += work[i].result;
    }
    peak_sink = sink;
    *ran = atomic_load(&count);
    return last - first;
}
