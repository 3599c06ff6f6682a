// Kymo's SGEMM: packing (BLIS-style: B in KC×NR micro-panels, A in MR×KC
// micro-panels, every transposing copy through 8×8 and 4×4 register
// transposes; a non-transposed B of a product with few row tiles is read in
// place, and on the AVX2 path a non-transposed A of at most 256 columns; a left operand used
// many times can be packed once, kymo_sgemm_pack_a)
// and register-blocked FMA micro-kernels, single-threaded (the engine
// parallelises over fixed output tiles around it).
//
// The bits. Every element C[i][j] is computed as the scalar chain
//     c = accumulate ? C[i][j] : +0;  for p in 0 ..< k: c = fma(A(i,p), B(p,j), c)
// Each vector lane of a micro-kernel runs exactly that chain for one element;
// a K block that ends stores c to C and the next block reloads it (exact), so
// the block sizes below, the micro-tile shape, the vector width (8 or 16
// lanes) and the order in which tiles are visited change only speed, never a
// bit. IEEE-754 fma, loads and stores are exact on every x86-64 CPU, so the
// result is the same on any CPU that runs it. Compiled with -ffp-contract=off
// and no fast-math; this file's functions need AVX2 + FMA (checked in cpu.c).
#include <pthread.h>
#include "kymo_gemm.h"
#include "gemm_internal.h"
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#pragma clang attribute push (__attribute__((target("avx2,fma"))), apply_to = function)

enum { KC = 256, MC = 144, NC = 4096 };   // MC is a multiple of both MRs (6, 12); NC of both NRs

// ---- micro-kernels: AVX2, 6 rows × 16 columns (12 accumulators) ----
// One kernel body (kernel_rvw) for the whole tile and for an edge tile of exactly R ≤ 6
// rows × (V − 1)·8 + w ≤ 16 columns, stored straight into C: the last vector's w < 8
// columns are read through a mask and written by 4-, 2- and 1-float stores (no
// vmaskmovps store, which is slow on AMD), so nothing outside the tile is touched and
// only the R rows that exist are computed. Every stored element is the chain
// c = fma(a, b, c) over k in increasing order, whichever kernel covers its tile.

static const int partial_mask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

/// The first w (1–8) floats at p; the rest of the vector 0.
__attribute__((always_inline)) static inline __m256 load_part(const float *p, int w) {
    if (w == 8) return _mm256_loadu_ps(p);
    return _mm256_maskload_ps(p, _mm256_loadu_si256((const __m256i *)(partial_mask + 8 - w)));
}

/// Stores the first w (1–8) lanes of v at p, nothing past them.
__attribute__((always_inline)) static inline void store_part(float *p, __m256 v, int w) {
    if (w == 8) { _mm256_storeu_ps(p, v); return; }
    __m128 x = _mm256_castps256_ps128(v);
    if (w & 4) { _mm_storeu_ps(p, x); x = _mm256_extractf128_ps(v, 1); p += 4; }
    if (w & 2) { _mm_storel_pi((__m64 *)p, x); x = _mm_movehl_ps(x, x); p += 2; }
    if (w & 1) _mm_store_ss(p, x);
}

/// c[R × ((V − 1)·8 + w)] (ldc) = (load ? c : 0) + Σ_p A(r, p) · pb[p·ldb + j], R ≤ 6,
/// V ≤ 2 vectors of 8, the last one's first w lanes; A(r, p) = pa[r·ars + p·aps]: a packed
/// panel (ars 1, aps 6) or, for A read in place, A's own rows (ars lda, aps 1); pb a packed
/// panel (ldb 16, aligned) or, `packed` 0, rows of B itself.
__attribute__((always_inline))
static inline void kernel_rvw(long kc, const float *pa, long ars, long aps, const float *pb, long ldb, float *c,
                              long ldc, int load, const int R, const int V, const int packed, int w) {
    __m256 acc[6][2];
    const int w0 = V > 1 ? 8 : w;
    for (int r = 0; r < R; r++) {
        acc[r][0] = load ? load_part(c + r * ldc, w0) : _mm256_setzero_ps();
        if (V > 1) acc[r][1] = load ? load_part(c + r * ldc + 8, w) : _mm256_setzero_ps();
    }
    for (long p = 0; p < kc; p++) {
        __m256 b0 = packed ? _mm256_load_ps(pb) : _mm256_loadu_ps(pb);
        __m256 b1 = V > 1 ? (packed ? _mm256_load_ps(pb + 8) : _mm256_loadu_ps(pb + 8)) : b0;
        for (int r = 0; r < R; r++) {
            __m256 a = _mm256_broadcast_ss(pa + r * ars);
            acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
            if (V > 1) acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
        }
        pa += aps; pb += ldb;
    }
    for (int r = 0; r < R; r++) {
        store_part(c + r * ldc, acc[r][0], w0);
        if (V > 1) store_part(c + r * ldc + 8, acc[r][1], w);
    }
}

static void kernel_avx2_6x16(long kc, const float *pa, const float *pb, float *c, long ldc, int load) {
    kernel_rvw(kc, pa, 1, 6, pb, 16, c, ldc, load, 6, 2, 1, 8);
}

/// The same tile reading B's rows in place (b[p·ldb + j]) instead of a packed panel.
static void kernel_avx2_6x16_direct(long kc, const float *pa, const float *pb, long ldb, float *c, long ldc, int load) {
    kernel_rvw(kc, pa, 1, 6, pb, ldb, c, ldc, load, 6, 2, 0, 8);
}

#define EXACT_CASE(R) case R: \
    if (cols > 8) kernel_rvw(kc, pa, ars, aps, pb, ldb, c, ldc, load, R, 2, packed, (int)cols - 8); \
    else kernel_rvw(kc, pa, ars, aps, pb, ldb, c, ldc, load, R, 1, packed, (int)cols); \
    break;

__attribute__((always_inline))
static inline void exact_dispatch(long kc, const float *pa, long ars, long aps, const float *pb, long ldb, float *c,
                                  long ldc, int load, long rows, long cols, const int packed) {
    switch (rows) {
        EXACT_CASE(1) EXACT_CASE(2) EXACT_CASE(3) EXACT_CASE(4) EXACT_CASE(5) EXACT_CASE(6)
        default: break;
    }
}
#undef EXACT_CASE

static void exact_avx2(long kc, const float *pa, const float *pb, float *c, long ldc, int load, long rows, long cols) {
    exact_dispatch(kc, pa, 1, 6, pb, 16, c, ldc, load, rows, cols, 1);
}

static void exact_direct_avx2(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load,
                              long rows, long cols) {
    exact_dispatch(kc, pa, 1, 6, b, ldb, c, ldc, load, rows, cols, 0);
}

/// A tile of `rows` ≤ 6 × `cols` ≤ 16 reading A's rows in place (A(r, p) = a[r·lda + p], no
/// packing) and B from a packed panel (ldb 16) or its rows in place; the same chain per element.
static void rows_a_avx2(long kc, const float *a, long lda, const float *b, long ldb, float *c, long ldc, int load,
                        long rows, long cols) {
    if (rows == 6 && cols == 16) kernel_rvw(kc, a, lda, 1, b, ldb, c, ldc, load, 6, 2, 0, 8);
    else exact_dispatch(kc, a, lda, 1, b, ldb, c, ldc, load, rows, cols, 0);
}

/// A 4-row tile of a packed A whose panel holds exactly those 4 rows (aps 4: the AVX2
/// path's 8-row tail, `tile_rows`), B packed or in place; the same chain per element.
__attribute__((noinline)) static void tile4_avx2(long kc, const float *pa, const float *pb, long ldb, int packedB, float *c, long ldc, int load,
                       long cols) {
    if (packedB) exact_dispatch(kc, pa, 1, 4, pb, 16, c, ldc, load, 4, cols, 1);
    else exact_dispatch(kc, pa, 1, 4, pb, ldb, c, ldc, load, 4, cols, 0);
}

/// The rows of the row tile that starts `left` rows before the end of a row block:
/// mr, or what is left, but on the AVX2 path (mr 6) a tail of 8 rows is two tiles
/// of 4 rather than 6 + 2. A 2-row tile has 4 accumulators: 4 FMA chains, half the
/// 8 that two FMA units of latency 4 need, so it ran at half speed; two 4-row tiles
/// have 8 each (d = 8 attention rows, C = 32 channels, 4·32 = 128 gate rows end in
/// such a tail). Tiling changes only speed: each element is the same chain.
static inline long tile_rows(long left, int mr) {
    if (mr == 6 && left == 8) return 4;
    return left < mr ? left : mr;
}

/// The row stride of a packed A panel of `rows` rows: mr (a short panel zero-padded),
/// but 4 for a 4-row tile on the AVX2 path, which `tile4_avx2` computes.
static inline long panel_width(long rows, int mr) { return mr == 6 && rows == 4 ? 4 : mr; }

// ---- paths ----

/// A tile of `rows` ≤ mr × `cols` ≤ nr with a non-transposed A read in place (a[r·lda + p]).
typedef void (*rows_a_kernel)(long kc, const float *a, long lda, const float *b, long ldb, float *c, long ldc, int load,
                              long rows, long cols);

/// A path's kernels: whole tiles from a packed B panel or B's rows in place (direct),
/// edge tiles stored straight into C, exactly rows × cols (exact / exactDirect), and
/// (rowsA, where the path has one) any tile with A's rows read in place.
typedef struct {
    int mr, nr; kymo_kernel kernel; kymo_direct_kernel direct;
    kymo_exact_kernel exact; kymo_exact_direct_kernel exactDirect; rows_a_kernel rowsA;
} path_desc;
static const path_desc paths[3] = {
    {0, 0, 0, 0, 0, 0, 0},
    {6, 16, kernel_avx2_6x16, kernel_avx2_6x16_direct, exact_avx2, exact_direct_avx2, rows_a_avx2},
    {12, 32, kymo_kernel_avx512_12x32, kymo_kernel_avx512_12x32_direct,
     kymo_kernel_avx512_exact, kymo_kernel_avx512_exact_direct, 0},
};

/// Products with at most this many row tiles read a non-transposed B in place
/// (whole panels) rather than packing it: packing B would cost about as much as
/// the few tiles that use it. So does a K block of B whose rows span at most
/// DIRECT_B_FLOATS floats (kc·ldb, 64 KB: it stays in L1/L2 across the row
/// tiles), as the per-sample Winograd products of a 16×16 grid (B 48–128 × 64
/// tiles): measured 3–9 % faster than packing it on an AMD Zen 4. So does a
/// product of at most DIRECT_B_ALIAS_ROWS rows (six AVX2 row tiles; on AVX-512
/// that is three, read in place anyway) whose B rows are not a multiple of
/// 1,024 floats (4 KB) apart: a panel's column of lines then spreads
/// over enough L2 sets to stay there across its row tiles (the kept attention
/// map's dv, 32×256×256, B rows 1 KB apart: 48.0–49.7 µs in place against
/// 55.8–56.2 µs packed on a Zen 3, scripts/gemm-products.c), where rows 4 KB
/// apart share 16 of L2's sets and a 256-row panel falls out to L3 (dv at
/// M = 1024: up to 10 % slower in place).
enum { DIRECT_B_ROW_TILES = 3, DIRECT_B_FLOATS = 16384, DIRECT_B_ALIAS_ROWS = 36 };

/// A non-transposed A is read in place (the path's rowsA) only in products of at
/// most ROWS_A_MAX_N columns: there packing A (a transposing copy of all of it)
/// costs more than the in-place reads lose, and above it the packed panel's one
/// contiguous stream wins over six rows' streams, re-read for every column panel
/// (Zen 3, scripts/gemm-products.c, three rounds alternating: 256×2048×1152
/// 13.85–13.94 ms packed against 14.30–14.84 in place, attention dk 8×1024×256
/// 73.4–75.1 against 75.9–76.6 µs, dv 32×1024×256 the same; at N ≤ 256 in place
/// wins: Winograd dW 128×64×64 11.0 against 13.0 µs, a 1×1 conv 16×256×64 5.45
/// against 6.1–6.2 µs, 256×256×1152 the same).
enum { ROWS_A_MAX_N = 256 };

static int forced_path = 0;   // 0: automatic
static int best_path = -1;    // chosen once (detect: pthread_once)
static int selfcheck_failed = 0;

static void sgemm_with(const path_desc *P, int transA, int transB, long m, long n, long k,
                       const float *a, long lda, const float *b, long ldb, float *c, long ldc, int accumulate,
                       const float *packedA);

/// Before the AVX-512 path is used automatically, it must reproduce the AVX2
/// path's bits on a few products covering edge tiles, K > KC, both transposes
/// and accumulation (about 2 MFLOP, once per process). If it ever did not,
/// Kymo would stay on AVX2 (and say so in the path name) rather than risk a bit.
static int avx512_selfcheck(void) {
    enum { M = 29, N = 45, K = 300 };
    static float a[M * K], b[K * N], c0[M * N], c1[M * N];
    unsigned s = 12345;
    for (int i = 0; i < M * K; i++) { s = s * 1103515245u + 12345u; a[i] = (float)((int)(s >> 9) - (1 << 21)) * 0x1p-21f; }
    for (int i = 0; i < K * N; i++) { s = s * 1103515245u + 12345u; b[i] = (float)((int)(s >> 9) - (1 << 21)) * 0x1p-21f; }
    for (int t = 0; t < 8; t++) {
        int ta = t & 1, tb = (t >> 1) & 1, acc = (t >> 2) & 1;
        for (int i = 0; i < M * N; i++) c0[i] = c1[i] = (float)(i % 7) - 3;
        sgemm_with(&paths[KYMO_GEMM_AVX2], ta, tb, M, N, K, a, ta ? M : K, b, tb ? K : N, c0, N, acc, 0);
        sgemm_with(&paths[KYMO_GEMM_AVX512], ta, tb, M, N, K, a, ta ? M : K, b, tb ? K : N, c1, N, acc, 0);
        if (memcmp(c0, c1, sizeof c0) != 0) return 0;
    }
    return 1;
}

// The path is chosen once per process (pthread_once): the first GEMM on any
// thread runs the self-check (on its static buffers) while the others wait.
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;

static void detect_path(void) {
    int p = KYMO_GEMM_AVX2;
    if (kymo_cpu_has_avx512f()) {
        if (avx512_selfcheck()) p = KYMO_GEMM_AVX512; else __atomic_store_n(&selfcheck_failed, 1, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&best_path, p, __ATOMIC_RELEASE);
}

static int detect(void) {
    pthread_once(&detect_once, detect_path);
    return __atomic_load_n(&best_path, __ATOMIC_ACQUIRE);
}

int kymo_gemm_avx512_selfcheck_failed(void) { detect(); return __atomic_load_n(&selfcheck_failed, __ATOMIC_RELAXED); }

int kymo_gemm_path(void) {
    int f = __atomic_load_n(&forced_path, __ATOMIC_RELAXED);
    return f ? f : detect();
}

int kymo_gemm_force_path(int path) {
    if (path == KYMO_GEMM_AVX512 && !kymo_cpu_has_avx512f()) return 0;
    if (path != 0 && path != KYMO_GEMM_AVX2 && path != KYMO_GEMM_AVX512) return 0;
    __atomic_store_n(&forced_path, path, __ATOMIC_RELAXED);
    return 1;
}

// ---- packing (zero-padded to whole micro-panels; padding lanes are never stored) ----
// Packing only moves values (no arithmetic), so how it is done cannot change a bit.


/// dst[p·ldd + r] = src[r·lds + p] for r < 8, p < kc: eight p at a time through an
/// 8×8 register transpose.
static void transpose_8rows(const float *src, long lds, long kc, float *dst, long ldd) {
    long p = 0;
    for (; p + 8 <= kc; p += 8) {
        __m256 v[8];
        for (int i = 0; i < 8; i++) v[i] = _mm256_loadu_ps(src + i * lds + p);
        kymo_transpose8(v);
        for (int j = 0; j < 8; j++) _mm256_storeu_ps(dst + (p + j) * ldd, v[j]);
    }
    for (; p < kc; p++)
        for (int r = 0; r < 8; r++) dst[p * ldd + r] = src[r * lds + p];
}

/// dst[p·ldd + r] = src[r·lds + p] for r < 4, p < kc: four p at a time through a
/// 4×4 register transpose (128-bit stores: no masked store, which is slow on AMD).
static void transpose_4rows(const float *src, long lds, long kc, float *dst, long ldd) {
    long p = 0;
    for (; p + 4 <= kc; p += 4) {
        __m128 r0 = _mm_loadu_ps(src + p), r1 = _mm_loadu_ps(src + lds + p);
        __m128 r2 = _mm_loadu_ps(src + 2 * lds + p), r3 = _mm_loadu_ps(src + 3 * lds + p);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        _mm_storeu_ps(dst + p * ldd, r0); _mm_storeu_ps(dst + (p + 1) * ldd, r1);
        _mm_storeu_ps(dst + (p + 2) * ldd, r2); _mm_storeu_ps(dst + (p + 3) * ldd, r3);
    }
    for (; p < kc; p++)
        for (int r = 0; r < 4; r++) dst[p * ldd + r] = src[r * lds + p];
}

/// dst[p·ldd + r] = src[r·lds + p] for r < 2, p < kc: four p at a time, interleaved
/// (unpacklo/hi) and stored as 64-bit pairs (the AVX2 path's rows 4–5 of a 6-row panel).
static void transpose_2rows(const float *src, long lds, long kc, float *dst, long ldd) {
    long p = 0;
    for (; p + 4 <= kc; p += 4) {
        __m128 r0 = _mm_loadu_ps(src + p), r1 = _mm_loadu_ps(src + lds + p);
        __m128 lo = _mm_unpacklo_ps(r0, r1), hi = _mm_unpackhi_ps(r0, r1);
        _mm_storel_pi((__m64 *)(dst + p * ldd), lo); _mm_storeh_pi((__m64 *)(dst + (p + 1) * ldd), lo);
        _mm_storel_pi((__m64 *)(dst + (p + 2) * ldd), hi); _mm_storeh_pi((__m64 *)(dst + (p + 3) * ldd), hi);
    }
    for (; p < kc; p++) { dst[p * ldd] = src[p]; dst[p * ldd + 1] = src[lds + p]; }
}

/// dst[p·ldd + r] = src[r·lds + p] for r < rows, p < kc, and 0 for rows ≤ r < width:
/// eight rows at a time, then four, then two, through register transposes, the rest element by element.
static void transpose_rows(const float *src, long lds, long rows, long kc, float *dst, long ldd, long width) {
    long r = 0;
    for (; r + 8 <= rows; r += 8) transpose_8rows(src + r * lds, lds, kc, dst + r, ldd);
    for (; r + 4 <= rows; r += 4) transpose_4rows(src + r * lds, lds, kc, dst + r, ldd);
    for (; r + 2 <= rows; r += 2) transpose_2rows(src + r * lds, lds, kc, dst + r, ldd);
    for (; r < rows; r++)
        for (long p = 0; p < kc; p++) dst[p * ldd + r] = src[r * lds + p];
    for (; r < width; r++)
        for (long p = 0; p < kc; p++) dst[p * ldd + r] = 0;
}

void kymo_transpose(const float *src, long lds, long rows, long cols, float *dst, long ldd, long width) {
    transpose_rows(src, lds, rows, cols, dst, ldd, width);
}

/// pa[ir·kc + p·w + r] = op(A)(i0 + ir + r, p0 + p) for each row tile ir of `tile_rows`,
/// w = `panel_width` (zero-padded past the rows that exist).
static void pack_a(int trans, const float *a, long lda, long i0, long mc, long p0, long kc, int mr, float *pa) {
    for (long ir = 0, rows; ir < mc; ir += rows) {
        rows = tile_rows(mc - ir, mr);
        const long width = panel_width(rows, mr);
        float *dst = pa + ir * kc;
        if (!trans) {
            transpose_rows(a + (i0 + ir) * lda + p0, lda, rows, kc, dst, width, width);
        } else {
            for (long p = 0; p < kc; p++) {
                const float *src = a + (p0 + p) * lda + i0 + ir;
                float *d = dst + p * width;
                long r = 0;
                for (; r + 4 <= rows; r += 4) _mm_storeu_ps(d + r, _mm_loadu_ps(src + r));
                for (; r < rows; r++) d[r] = src[r];
                for (; r < width; r++) d[r] = 0;
            }
        }
    }
}

/// pb[(jr/nr)·nr·kc + p·nr + j] = op(B)(p0 + p, j0 + jr + j).
static void pack_b(int trans, const float *b, long ldb, long p0, long kc, long j0, long nc, int nr, float *pb) {
    for (long jr = 0; jr < nc; jr += nr) {
        long cols = nc - jr < nr ? nc - jr : nr;
        float *dst = pb + jr * kc;
        if (!trans) {
            for (long p = 0; p < kc; p++) {
                const float *src = b + (p0 + p) * ldb + j0 + jr;
                float *d = dst + p * nr;
                if (cols == nr) {   // nr is 16 or 32: whole 8-float vectors
                    for (long j = 0; j < nr; j += 8) _mm256_store_ps(d + j, _mm256_loadu_ps(src + j));
                    continue;
                }
                long j = 0;
                for (; j < cols; j++) d[j] = src[j];
                for (; j < nr; j++) d[j] = 0;
            }
        } else {   // register transposes, eight and four columns at a time
            transpose_rows(b + (j0 + jr) * ldb + p0, ldb, cols, kc, dst, nr, nr);
        }
    }
}

// ---- per-thread packing buffers ----

static __thread float *buf_a, *buf_b;
static __thread size_t cap_a, cap_b;

static float *ensure(float **buf, size_t *cap, size_t count) {
    if (*cap < count) {
        free(*buf);
        size_t bytes = (count * sizeof(float) + 63) & ~(size_t)63;
        *buf = aligned_alloc(64, bytes);
        if (!*buf) abort();
        *cap = count;
    }
    return *buf;
}

// ---- driver ----

void kymo_sgemm(int transA, int transB, long m, long n, long k,
                const float *a, long lda, const float *b, long ldb,
                float *c, long ldc, int accumulate) {
    sgemm_with(&paths[kymo_gemm_path()], transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, 0);
}

// ---- a left operand packed once ----
// Layout: the (pc, ic) block that sgemm_with would pack (K blocks of KC, row
// blocks of MC, each zero-padded to whole mr-row micro-panels) at
// pc·mPad + ic·kc, mPad = m rounded up to mr (MC is a multiple of mr, so the
// blocks of one K block tile [0, mPad·kc) exactly).

static long round_up(long x, long r) { return (x + r - 1) / r * r; }

long kymo_sgemm_packed_a_count(long m, long k) {
    return round_up(m > 0 ? m : 0, 12) * (k > 0 ? k : 0);   // 12: a multiple of every path's mr
}

int kymo_sgemm_pack_a(int transA, long m, long k, const float *a, long lda, float *packed) {
    int path = kymo_gemm_path();
    const path_desc *P = &paths[path];
    long mPad = round_up(m, P->mr);
    for (long pc = 0; pc < k; pc += KC) {
        long kc = k - pc < KC ? k - pc : KC;
        for (long ic = 0; ic < m; ic += MC) {
            long mc = m - ic < MC ? m - ic : MC;
            pack_a(transA, a, lda, ic, mc, pc, kc, P->mr, packed + pc * mPad + ic * kc);
        }
    }
    return path;
}

void kymo_sgemm_packed(int path, const float *packedA, int transB, long m, long n, long k,
                       const float *b, long ldb, float *c, long ldc, int accumulate) {
    if (path != KYMO_GEMM_AVX2 && path != KYMO_GEMM_AVX512) abort();
    sgemm_with(&paths[path], 0, transB, m, n, k, 0, 0, b, ldb, c, ldc, accumulate, packedA);
}

static void sgemm_with(const path_desc *P, int transA, int transB, long m, long n, long k,
                       const float *a, long lda, const float *b, long ldb, float *c, long ldc, int accumulate,
                       const float *packedA) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        if (!accumulate) for (long i = 0; i < m; i++) memset(c + i * ldc, 0, sizeof(float) * (size_t)n);
        return;
    }
    const int mr = P->mr, nr = P->nr;
    const kymo_kernel kernel = P->kernel;
    long ncMax = n < NC ? n : NC;
    float *pb = ensure(&buf_b, &cap_b, (size_t)((ncMax + nr - 1) / nr * nr) * KC);
    // a non-transposed A is read in place where the path can (its rows are each tile's
    // k-runs already; packing them would be a transposing copy of all of A), in
    // products of few column panels (ROWS_A_MAX_N)
    const int rowsA = !transA && !packedA && P->rowsA && n <= ROWS_A_MAX_N;
    float *pa = packedA || rowsA ? 0 : ensure(&buf_a, &cap_a, (size_t)MC * KC);
    const long mPad = round_up(m, mr);
    for (long jc = 0; jc < n; jc += NC) {
        long nc = n - jc < NC ? n - jc : NC;
        for (long pc = 0; pc < k; pc += KC) {
            long kc = k - pc < KC ? k - pc : KC;
            int load = accumulate || pc > 0;
            // B in place (whole panels; only a ragged last panel packed) or all packed
            const int direct = !transB && (m <= DIRECT_B_ROW_TILES * mr || kc * ldb <= DIRECT_B_FLOATS
                                           || (m <= DIRECT_B_ALIAS_ROWS && ldb % 1024 != 0));
            const long full = direct ? nc / nr * nr : 0;
            if (full < nc) pack_b(transB, b, ldb, pc, kc, jc + full, nc - full, nr, pb + full * kc);
            for (long ic = 0; ic < m; ic += MC) {
                long mc = m - ic < MC ? m - ic : MC;
                if (packedA) pa = (float *)packedA + pc * mPad + ic * kc;
                else if (!rowsA) pack_a(transA, a, lda, ic, mc, pc, kc, mr, pa);
                for (long jr = 0; jr < nc; jr += nr) {
                    long cols = nc - jr < nr ? nc - jr : nr;
                    const int inPlace = jr < full;
                    const float *pbj = inPlace ? b + pc * ldb + jc + jr : pb + jr * kc;
                    for (long ir = 0, rows; ir < mc; ir += rows) {
                        rows = tile_rows(mc - ir, mr);
                        float *cij = c + (ic + ir) * ldc + jc + jr;
                        if (rowsA) {
                            P->rowsA(kc, a + (ic + ir) * lda + pc, lda, pbj, inPlace ? ldb : nr, cij, ldc, load, rows, cols);
                            continue;
                        }
                        if (panel_width(rows, mr) == 4) {   // a 4-row panel (AVX2)
                            tile4_avx2(kc, pa + ir * kc, pbj, ldb, !inPlace, cij, ldc, load, cols);
                            continue;
                        }
                        if (rows == mr && cols == nr) {
                            if (inPlace) P->direct(kc, pa + ir * kc, pbj, ldb, cij, ldc, load);
                            else kernel(kc, pa + ir * kc, pbj, cij, ldc, load);
                            continue;
                        }
                        // an edge tile: straight into C, exactly rows × cols
                        if (inPlace) P->exactDirect(kc, pa + ir * kc, pbj, ldb, cij, ldc, load, rows, cols);
                        else P->exact(kc, pa + ir * kc, pbj, cij, ldc, load, rows, cols);
                    }
                }
            }
        }
    }
}

#pragma clang attribute pop
