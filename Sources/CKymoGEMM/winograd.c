// The Winograd F(2×2, 3×3) data transforms at AVX-512 width: 16 tiles per
// vector (kymo_winograd.h has the layouts), and further down the same at AVX2
// width, 8 tiles per vector. Tiles are taken in groups of at
// most 8 consecutive tiles of one tile row, two groups per vector (a 16×16
// plane has 8 tiles per row, so one vector covers two tile rows): the two
// groups' input or gradient rows are loaded 16 floats each and split into
// even and odd columns with one two-source permute, and output rows are
// interleaved back the same way; image borders and ragged groups are handled
// with masked loads (zeros) and masked stores instead of scalar tails and
// copies through scratch rows.
//
// The bits: every output element is computed from the same inputs by the
// same adds and subtracts in the same order as the 8-lane Swift loops that
// Tensor+Winograd.swift ran before (`inputColumns`/`inputRows`, `outputTransform`,
// `gradTransform`, kept in WinogradTransformTests), zeros outside the image included, and negation is 0 − x
// as Swift's SIMD `prefix -` (so −(+0) is +0 here too). IEEE adds and
// subtracts are exactly rounded whatever the vector width, so the results
// are the same floats (WinogradTransformTests compares them bit for bit).
// Compiled with -ffp-contract=off and no fast-math.
#include "kymo_winograd.h"
#include "gemm_internal.h"
#include <immintrin.h>

/// Walks the tiles lo ..< hi in groups: at most 8 consecutive tiles of one tile row
/// (plain scalar code, shared by the AVX-512 and the AVX2 functions below).
typedef struct { long tilesX, tilesY, hi, t, b, ty, tx; } cursor;
typedef struct { long b, ty, tx, len; } group;

static inline cursor cursor_at(long tilesX, long tilesY, long lo, long hi) {
    long row = lo / tilesX, b = row / tilesY;
    cursor c = {tilesX, tilesY, hi, lo, b, row - b * tilesY, lo - row * tilesX};
    return c;
}

static inline group next_group(cursor *c) {
    long len = c->tilesX - c->tx;
    if (len > 8) len = 8;
    if (len > c->hi - c->t) len = c->hi - c->t;
    if (len < 0) len = 0;
    group g = {c->b, c->ty, c->tx, len};
    c->t += len; c->tx += len;
    if (c->tx == c->tilesX) { c->tx = 0; if (++c->ty == c->tilesY) { c->ty = 0; c->b++; } }
    return g;
}

/// Floats of one transformed row (padded columns −1 … 2·tilesX, whole vectors, and slack
/// for the loads two columns on).
static long row_len(long tilesX) { return (2 * tilesX + 2 + 15) / 16 * 16 + 16; }

long kymo_winograd_input_scratch(long n, long w) {
    long tilesX = (w + 1) / 2;
    if (tilesX < 1) tilesX = 1;
    return (n / tilesX + 2) * 4 * row_len(tilesX);
}

#pragma clang attribute push (__attribute__((target("avx512f,avx2,fma"))), apply_to = function)

/// The first `count` lanes (0 … 16).
static inline __mmask16 first_lanes(long count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}

static inline __m512i iota16(void) { return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }

/// Indices of a two-source permute taking the even columns 0, 2, … of the first source for
/// lanes < lenA and of the second for the lanes after them (odd columns: *odd).
static inline void split_indices(long lenA, __m512i *even, __m512i *odd) {
    __m512i i = iota16(), two = _mm512_add_epi32(i, i);
    __mmask16 a = _mm512_cmplt_epi32_mask(i, _mm512_set1_epi32((int)lenA));
    *even = _mm512_mask_blend_epi32(a, _mm512_add_epi32(two, _mm512_set1_epi32((int)(16 - 2 * lenA))), two);
    *odd = _mm512_add_epi32(*even, _mm512_set1_epi32(1));
}

/// Indices interleaving lanes base ..< base + 8 of two sources: (a[base], b[base], a[base+1], …).
static inline __m512i interleave_indices(long base) {
    __m512i i = iota16();
    __m512i half = _mm512_add_epi32(_mm512_srli_epi32(i, 1), _mm512_set1_epi32((int)base));
    return _mm512_add_epi32(half, _mm512_slli_epi32(_mm512_and_si512(i, _mm512_set1_epi32(1)), 4));
}

static inline __m512 neg(__m512 v) { return _mm512_sub_ps(_mm512_setzero_ps(), v); }

// ---- input transform ----

/// Bᵀ·d down the columns of tile row ty of one plane: t[i·rowLen + q] for padded column q
/// (image column q − 1, zero outside the image): d0 − d2, d1 + d2, d2 − d1, d1 − d3.
static inline void input_columns(const float *plane, long h, long w, long ty, float *t, long rowLen) {
    const float *d[4];
    int inside[4];
    for (int i = 0; i < 4; i++) {
        long sy = 2 * ty - 1 + i;
        inside[i] = sy >= 0 && sy < h;
        d[i] = plane + (inside[i] ? sy * w : 0) - 1;
    }
    const __m512 zero = _mm512_setzero_ps();
    for (long q = 0; q < rowLen; q += 16) {
        long first = 1 - q > 0 ? 1 - q : 0, end = w + 1 - q;   // lanes inside the image: first ..< end
        __mmask16 k = end > first ? (__mmask16)(first_lanes(end) & ~first_lanes(first)) : (__mmask16)0;
        __m512 a0 = inside[0] ? _mm512_maskz_loadu_ps(k, d[0] + q) : zero;
        __m512 a1 = inside[1] ? _mm512_maskz_loadu_ps(k, d[1] + q) : zero;
        __m512 a2 = inside[2] ? _mm512_maskz_loadu_ps(k, d[2] + q) : zero;
        __m512 a3 = inside[3] ? _mm512_maskz_loadu_ps(k, d[3] + q) : zero;
        _mm512_storeu_ps(t + q, _mm512_sub_ps(a0, a2));
        _mm512_storeu_ps(t + rowLen + q, _mm512_add_ps(a1, a2));
        _mm512_storeu_ps(t + 2 * rowLen + q, _mm512_sub_ps(a2, a1));
        _mm512_storeu_ps(t + 3 * rowLen + q, _mm512_sub_ps(a1, a3));
    }
}

void kymo_winograd_input(const float *x, long cin, long h, long w, long lo, long hi, float *u, long plane, float *scratch) {
    const long tilesX = (w + 1) / 2, tilesY = (h + 1) / 2, n = hi - lo;
    if (n <= 0) return;
    const long rowLen = row_len(tilesX), row0 = lo / tilesX, rows = (hi - 1) / tilesX - row0 + 1;
    const long b0 = row0 / tilesY, ty0 = row0 - b0 * tilesY;
    for (long c = 0; c < cin; c++) {
        // 1. Bᵀ·d for every tile row the chunk touches
        long b = b0, ty = ty0;
        for (long r = 0; r < rows; r++) {
            input_columns(x + (b * cin + c) * h * w, h, w, ty, scratch + r * 4 * rowLen, rowLen);
            if (++ty == tilesY) { ty = 0; b++; }
        }
        // 2. ·B along the rows, two groups of tiles per vector:
        //    e0 = r[2k], o0 = r[2k+1], e1 = r[2k+2], o1 = r[2k+3] → e0 − e1, o0 + e1, e1 − o0, o0 − o1
        cursor cur = cursor_at(tilesX, tilesY, lo, hi);
        float *dst = u + c * n;
        while (cur.t < hi) {
            group ga = next_group(&cur), gb = next_group(&cur);
            const float *pa = scratch + ((ga.b * tilesY + ga.ty) - row0) * 4 * rowLen + 2 * ga.tx;
            const float *pb = gb.len ? scratch + ((gb.b * tilesY + gb.ty) - row0) * 4 * rowLen + 2 * gb.tx : pa;
            __m512i ie, io;
            split_indices(ga.len, &ie, &io);
            const __mmask16 k = first_lanes(ga.len + gb.len);
            for (int i = 0; i < 4; i++) {
                const float *ra = pa + i * rowLen, *rb = pb + i * rowLen;
                __m512 a = _mm512_loadu_ps(ra), a2 = _mm512_loadu_ps(ra + 2);
                __m512 bb = _mm512_loadu_ps(rb), b2 = _mm512_loadu_ps(rb + 2);
                __m512 e0 = _mm512_permutex2var_ps(a, ie, bb), o0 = _mm512_permutex2var_ps(a, io, bb);
                __m512 e1 = _mm512_permutex2var_ps(a2, ie, b2), o1 = _mm512_permutex2var_ps(a2, io, b2);
                float *d = dst + 4 * i * plane;
                _mm512_mask_storeu_ps(d, k, _mm512_sub_ps(e0, e1));
                _mm512_mask_storeu_ps(d + plane, k, _mm512_add_ps(o0, e1));
                _mm512_mask_storeu_ps(d + 2 * plane, k, _mm512_sub_ps(e1, o0));
                _mm512_mask_storeu_ps(d + 3 * plane, k, _mm512_sub_ps(o0, o1));
            }
            dst += ga.len + gb.len;
        }
    }
}

// ---- output transform ----

/// Stores the 2×2 outputs of group g (lanes base ..< base + g.len of the four tile outputs)
/// into plane y: rows 2ty and 2ty + 1 (if inside), columns 2tx … (those inside).
static inline void put_group(float *y, long h, long w, group g, long base, __m512 y00, __m512 y01, __m512 y10, __m512 y11) {
    if (g.len == 0) return;
    const __m512i idx = interleave_indices(base);
    const long x0 = 2 * g.tx, y0 = 2 * g.ty;
    const long count = 2 * g.len < w - x0 ? 2 * g.len : w - x0;
    const __mmask16 k = first_lanes(count);
    _mm512_mask_storeu_ps(y + y0 * w + x0, k, _mm512_permutex2var_ps(y00, idx, y01));
    if (y0 + 1 < h) _mm512_mask_storeu_ps(y + (y0 + 1) * w + x0, k, _mm512_permutex2var_ps(y10, idx, y11));
}

void kymo_winograd_output(const float *m, long cout, long h, long w, long lo, long hi, const float *bias, float *y) {
    const long tilesX = (w + 1) / 2, tilesY = (h + 1) / 2, n = hi - lo;
    if (n <= 0) return;
    for (long o = 0; o < cout; o++) {
        const __m512 vb = _mm512_set1_ps(bias ? bias[o] : 0.0f);
        const float *mo = m + 16 * o * n;
        cursor cur = cursor_at(tilesX, tilesY, lo, hi);
        while (cur.t < hi) {
            const long t = cur.t - lo;
            group ga = next_group(&cur), gb = next_group(&cur);
            const __mmask16 k = first_lanes(ga.len + gb.len);
            __m512 v[16];
            for (int xi = 0; xi < 16; xi++) v[xi] = _mm512_maskz_loadu_ps(k, mo + xi * n + t);
            // along i: s_j = m0j + m1j + m2j, d_j = m1j − m2j − m3j; then the same along j
            __m512 s0 = _mm512_add_ps(_mm512_add_ps(v[0], v[4]), v[8]);
            __m512 s1 = _mm512_add_ps(_mm512_add_ps(v[1], v[5]), v[9]);
            __m512 s2 = _mm512_add_ps(_mm512_add_ps(v[2], v[6]), v[10]);
            __m512 s3 = _mm512_add_ps(_mm512_add_ps(v[3], v[7]), v[11]);
            __m512 d0 = _mm512_sub_ps(_mm512_sub_ps(v[4], v[8]), v[12]);
            __m512 d1 = _mm512_sub_ps(_mm512_sub_ps(v[5], v[9]), v[13]);
            __m512 d2 = _mm512_sub_ps(_mm512_sub_ps(v[6], v[10]), v[14]);
            __m512 d3 = _mm512_sub_ps(_mm512_sub_ps(v[7], v[11]), v[15]);
            __m512 y00 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), s2), vb);
            __m512 y01 = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(s1, s2), s3), vb);
            __m512 y10 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(d0, d1), d2), vb);
            __m512 y11 = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(d1, d2), d3), vb);
            put_group(y + (ga.b * cout + o) * h * w, h, w, ga, 0, y00, y01, y10, y11);
            put_group(y + (gb.b * cout + o) * h * w, h, w, gb, ga.len, y00, y01, y10, y11);
        }
    }
}

// ---- output-gradient transform ----

/// Rows 2ty and 2ty + 1 of group g's output gradient (zero outside the image).
static inline void get_group(const float *dy, long h, long w, group g, __m512 *top, __m512 *bottom) {
    const long x0 = 2 * g.tx, y0 = 2 * g.ty;
    const long count = 2 * g.len < w - x0 ? 2 * g.len : w - x0;
    const __mmask16 k = first_lanes(count);
    *top = _mm512_maskz_loadu_ps(k, dy + y0 * w + x0);
    *bottom = y0 + 1 < h ? _mm512_maskz_loadu_ps(k, dy + (y0 + 1) * w + x0) : _mm512_setzero_ps();
}

void kymo_winograd_grad(const float *dy, long cout, long h, long w, long lo, long hi, float *m, long stride) {
    const long tilesX = (w + 1) / 2, tilesY = (h + 1) / 2, n = hi - lo;
    if (n <= 0) return;
    for (long o = 0; o < cout; o++) {
        cursor cur = cursor_at(tilesX, tilesY, lo, hi);
        while (cur.t < hi) {
            float *dst = m + o * n + (cur.t - lo);
            group ga = next_group(&cur), gb = next_group(&cur);
            __m512 ta, ba, tb, bb;
            get_group(dy + (ga.b * cout + o) * h * w, h, w, ga, &ta, &ba);
            if (gb.len) get_group(dy + (gb.b * cout + o) * h * w, h, w, gb, &tb, &bb); else { tb = ta; bb = ba; }
            __m512i ie, io;
            split_indices(ga.len, &ie, &io);
            const __mmask16 k = first_lanes(ga.len + gb.len);
            // dy = [[a0, a1], [b0, b1]]: rows of A·dy are (a, a + b, a − b, −b) per column,
            // then the same combination along each row
            const __m512 a0 = _mm512_permutex2var_ps(ta, ie, tb), a1 = _mm512_permutex2var_ps(ta, io, tb);
            const __m512 b0 = _mm512_permutex2var_ps(ba, ie, bb), b1 = _mm512_permutex2var_ps(ba, io, bb);
#define ROW(i, c0, c1) do { \
            const __m512 r0 = (c0), r1 = (c1); \
            _mm512_mask_storeu_ps(dst + (4 * (i)) * stride, k, r0); \
            _mm512_mask_storeu_ps(dst + (4 * (i) + 1) * stride, k, _mm512_add_ps(r0, r1)); \
            _mm512_mask_storeu_ps(dst + (4 * (i) + 2) * stride, k, _mm512_sub_ps(r0, r1)); \
            _mm512_mask_storeu_ps(dst + (4 * (i) + 3) * stride, k, neg(r1)); \
        } while (0)
            ROW(0, a0, a1);
            ROW(1, _mm512_add_ps(a0, b0), _mm512_add_ps(a1, b1));
            ROW(2, _mm512_sub_ps(a0, b0), _mm512_sub_ps(a1, b1));
            ROW(3, neg(b0), neg(b1));
#undef ROW
        }
    }
}

// ---- weight gradient: Σ over groups, then Gᵀ·dV·G ----

/// In-register transpose of 16 rows of 16: afterwards r[j] holds (r0[j], …, r15[j]).
static inline void transpose16(__m512 r[16]) {
    __m512 t[16], u[16], v[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        u[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) {
            v[8 * i + j] = _mm512_shuffle_f32x4(u[8 * i + j], u[8 * i + 4 + j], 0x88);
            v[8 * i + 4 + j] = _mm512_shuffle_f32x4(u[8 * i + j], u[8 * i + 4 + j], 0xDD);
        }
    for (int j = 0; j < 8; j++) {
        r[j] = _mm512_shuffle_f32x4(v[j], v[8 + j], 0x88);
        r[8 + j] = _mm512_shuffle_f32x4(v[j], v[8 + j], 0xDD);
    }
}

void kymo_winograd_weight_finish(const float *partials, long groups, long plane, long cin, long o0, long o1, float *dw) {
    const long size = 16 * plane;
    const __m512 half = _mm512_set1_ps(0.5f);
    for (long o = o0; o < o1; o++) {
        for (long c0 = 0; c0 < cin; c0 += 16) {
            const long lanes = cin - c0 < 16 ? cin - c0 : 16;
            const __mmask16 k = first_lanes(lanes);
            __m512 v[16];
            for (int xi = 0; xi < 16; xi++) {   // Σ over groups in order
                const float *src = partials + xi * plane + o * cin + c0;
                __m512 acc = _mm512_maskz_loadu_ps(k, src);
                for (long g = 1; g < groups; g++) acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(k, src + g * size));
                v[xi] = acc;
            }
            // Gᵀ = [[1,½,½,0],[0,½,−½,0],[0,½,½,1]] down the rows i, then along j
            __m512 q[4][3];
            for (int j = 0; j < 4; j++) {
                const __m512 v0 = v[j], v1 = v[4 + j], v2 = v[8 + j], v3 = v[12 + j];
                q[j][0] = _mm512_add_ps(v0, _mm512_mul_ps(half, _mm512_add_ps(v1, v2)));
                q[j][1] = _mm512_mul_ps(half, _mm512_sub_ps(v1, v2));
                q[j][2] = _mm512_add_ps(_mm512_mul_ps(half, _mm512_add_ps(v1, v2)), v3);
            }
            __m512 r[16];   // r[3a + j] = dW[o][c0 + lane][a][j]; then transposed: r[l] = dW[o][c0 + l] (9 values)
            for (int a = 0; a < 3; a++) {
                const __m512 q0 = q[0][a], q1 = q[1][a], q2 = q[2][a], q3 = q[3][a];
                r[3 * a] = _mm512_add_ps(q0, _mm512_mul_ps(half, _mm512_add_ps(q1, q2)));
                r[3 * a + 1] = _mm512_mul_ps(half, _mm512_sub_ps(q1, q2));
                r[3 * a + 2] = _mm512_add_ps(_mm512_mul_ps(half, _mm512_add_ps(q1, q2)), q3);
            }
            for (int e = 9; e < 16; e++) r[e] = _mm512_setzero_ps();
            transpose16(r);
            float *dst = dw + (o * cin + c0) * 9;   // dw[o][c][a][j]: lane l's nine values are contiguous
            for (long l = 0; l < lanes; l++) _mm512_mask_storeu_ps(dst + 9 * l, (__mmask16)0x1FF, r[l]);
        }
    }
}

#pragma clang attribute pop

// ---- the data transforms at AVX2 width (the AVX2 GEMM path): 8 tiles per vector ----
//
// One group of at most 8 consecutive tiles of one tile row per vector (a 16×16 plane's tile
// row is one group). Input and gradient rows are loaded 16 floats at a time and split into
// even and odd columns (a shuffle within 128-bit halves, then a 64-bit permute); output rows
// are interleaved back the same way. Image borders go through masked loads (zeros outside);
// a ragged group's stores go through a scratch vector and a copy of its lanes (AMD's masked
// stores are slow). Every element is the same adds and subtracts in the same order as the
// 16-lane functions above and the Swift loops they replaced (WinogradTransformTests).

#pragma clang attribute push (__attribute__((target("avx2,fma"))), apply_to = function)

/// Lanes first ..< end of a vector (as an all-ones or zero mask per 32-bit lane).
static inline __m256i lanes8(long first, long end) {
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    if (end > 8) end = 8;
    if (first < 0) first = 0;
    return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)first), iota),
                               _mm256_cmpgt_epi32(_mm256_set1_epi32((int)end), iota));
}

/// The first `count` (0 … 8) floats at p, zeros after (nothing past them is read).
static inline __m256 load_first8(const float *p, long count) {
    return count >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, lanes8(0, count));
}

/// Stores the first `count` (0 … 8) lanes of v at p (nothing past them is written).
static inline void store_first8(float *p, long count, __m256 v) {
    if (count >= 8) { _mm256_storeu_ps(p, v); return; }
    float tmp[8];
    _mm256_storeu_ps(tmp, v);
    for (long l = 0; l < count; l++) p[l] = tmp[l];
}

/// Even columns (r[0], r[2], …, r[14]) of the 16 floats lo = r[0 … 7], hi = r[8 … 15].
static inline __m256 even8(__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
}

/// Odd columns (r[1], r[3], …, r[15]).
static inline __m256 odd8(__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}

static inline __m256 neg8(__m256 v) { return _mm256_sub_ps(_mm256_setzero_ps(), v); }

/// Bᵀ·d down the columns of tile row ty of one plane, as input_columns above, 8 columns a vector:
/// padded columns 0 ..< cols (every column the ·B pass reads: 2·tilesX + 16, in whole vectors).
static inline void input_columns8(const float *plane, long h, long w, long ty, float *t, long rowLen, long cols) {
    const float *d[4];
    int inside[4];
    for (int i = 0; i < 4; i++) {
        long sy = 2 * ty - 1 + i;
        inside[i] = sy >= 0 && sy < h;
        d[i] = plane + (inside[i] ? sy * w : 0) - 1;
    }
    const __m256 zero = _mm256_setzero_ps();
    for (long q = 0; q < cols; q += 8) {
        const long first = 1 - q > 0 ? 1 - q : 0, end = w + 1 - q;   // lanes inside the image: first ..< end
        __m256 a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        if (first == 0 && end >= 8) {
            if (inside[0]) a0 = _mm256_loadu_ps(d[0] + q);
            if (inside[1]) a1 = _mm256_loadu_ps(d[1] + q);
            if (inside[2]) a2 = _mm256_loadu_ps(d[2] + q);
            if (inside[3]) a3 = _mm256_loadu_ps(d[3] + q);
        } else if (end > first) {
            const __m256i k = lanes8(first, end);
            if (inside[0]) a0 = _mm256_maskload_ps(d[0] + q, k);
            if (inside[1]) a1 = _mm256_maskload_ps(d[1] + q, k);
            if (inside[2]) a2 = _mm256_maskload_ps(d[2] + q, k);
            if (inside[3]) a3 = _mm256_maskload_ps(d[3] + q, k);
        }
        _mm256_storeu_ps(t + q, _mm256_sub_ps(a0, a2));
        _mm256_storeu_ps(t + rowLen + q, _mm256_add_ps(a1, a2));
        _mm256_storeu_ps(t + 2 * rowLen + q, _mm256_sub_ps(a2, a1));
        _mm256_storeu_ps(t + 3 * rowLen + q, _mm256_sub_ps(a1, a3));
    }
}

void kymo_winograd_input8(const float *x, long cin, long h, long w, long lo, long hi, float *u, long plane, float *scratch) {
    const long tilesX = (w + 1) / 2, tilesY = (h + 1) / 2, n = hi - lo;
    if (n <= 0) return;
    const long rowLen = row_len(tilesX), row0 = lo / tilesX, rows = (hi - 1) / tilesX - row0 + 1;
    const long b0 = row0 / tilesY, ty0 = row0 - b0 * tilesY;
    // a group starting at tile tx reads padded columns 2·tx … 2·tx + 17 (lanes past the group's
    // tiles are computed and dropped), tx < tilesX; rowLen ≥ 2·tilesX + 18 holds them
    const long cols = (2 * tilesX + 16 + 7) / 8 * 8 < rowLen ? (2 * tilesX + 16 + 7) / 8 * 8 : rowLen;
    for (long c = 0; c < cin; c++) {
        // 1. Bᵀ·d for every tile row the chunk touches
        long b = b0, ty = ty0;
        for (long r = 0; r < rows; r++) {
            input_columns8(x + (b * cin + c) * h * w, h, w, ty, scratch + r * 4 * rowLen, rowLen, cols);
            if (++ty == tilesY) { ty = 0; b++; }
        }
        // 2. ·B along the rows, one group of tiles per vector:
        //    e0 = r[2k], o0 = r[2k+1], e1 = r[2k+2], o1 = r[2k+3] → e0 − e1, o0 + e1, e1 − o0, o0 − o1
        cursor cur = cursor_at(tilesX, tilesY, lo, hi);
        float *dst = u + c * n;
        while (cur.t < hi) {
            const group g = next_group(&cur);
            const float *p = scratch + ((g.b * tilesY + g.ty) - row0) * 4 * rowLen + 2 * g.tx;
            for (int i = 0; i < 4; i++) {
                const float *r = p + i * rowLen;
                const __m256 a = _mm256_loadu_ps(r), ah = _mm256_loadu_ps(r + 8);
                const __m256 a2 = _mm256_loadu_ps(r + 2), a2h = _mm256_loadu_ps(r + 10);
                const __m256 e0 = even8(a, ah), o0 = odd8(a, ah), e1 = even8(a2, a2h), o1 = odd8(a2, a2h);
                float *d = dst + 4 * i * plane;
                store_first8(d, g.len, _mm256_sub_ps(e0, e1));
                store_first8(d + plane, g.len, _mm256_add_ps(o0, e1));
                store_first8(d + 2 * plane, g.len, _mm256_sub_ps(e1, o0));
                store_first8(d + 3 * plane, g.len, _mm256_sub_ps(o0, o1));
            }
            dst += g.len;
        }
    }
}

/// Stores 2·len interleaved outputs (lo[0], hi[0], lo[1], hi[1], …) at p, the first `count` of them.
static inline void put_row8(float *p, long count, __m256 a, __m256 b) {
    const __m256 l = _mm256_unpacklo_ps(a, b), u = _mm256_unpackhi_ps(a, b);   // (a0 b0 a1 b1 | a4 b4 a5 b5), (a2 b2 a3 b3 | a6 …)
    const __m256 first = _mm256_permute2f128_ps(l, u, 0x20), second = _mm256_permute2f128_ps(l, u, 0x31);
    store_first8(p, count, first);
    if (count > 8) store_first8(p + 8, count - 8, second);
}

void kymo_winograd_output8(const float *m, long cout, long h, long w, long lo, long hi, const float *bias, float *y) {
    const long tilesX = (w + 1) / 2, tilesY = (h + 1) / 2, n = hi - lo;
    if (n <= 0) return;
    for (long o = 0; o < cout; o++) {
        const __m256 vb = _mm256_set1_ps(bias ? bias[o] : 0.0f);
        const float *mo = m + 16 * o * n;
        cursor cur = cursor_at(tilesX, tilesY, lo, hi);
        while (cur.t < hi) {
            const long t = cur.t - lo;
            const group g = next_group(&cur);
            __m256 v[16];
            for (int xi = 0; xi < 16; xi++) v[xi] = load_first8(mo + xi * n + t, g.len);
            // along i: s_j = m0j + m1j + m2j, d_j = m1j − m2j − m3j; then the same along j
            const __m256 s0 = _mm256_add_ps(_mm256_add_ps(v[0], v[4]), v[8]);
            const __m256 s1 = _mm256_add_ps(_mm256_add_ps(v[1], v[5]), v[9]);
            const __m256 s2 = _mm256_add_ps(_mm256_add_ps(v[2], v[6]), v[10]);
            const __m256 s3 = _mm256_add_ps(_mm256_add_ps(v[3], v[7]), v[11]);
            const __m256 d0 = _mm256_sub_ps(_mm256_sub_ps(v[4], v[8]), v[12]);
            const __m256 d1 = _mm256_sub_ps(_mm256_sub_ps(v[5], v[9]), v[13]);
            const __m256 d2 = _mm256_sub_ps(_mm256_sub_ps(v[6], v[10]), v[14]);
            const __m256 d3 = _mm256_sub_ps(_mm256_sub_ps(v[7], v[11]), v[15]);
            const __m256 y00 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), s2), vb);
            const __m256 y01 = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(s1, s2), s3), vb);
            const __m256 y10 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(d0, d1), d2), vb);
            const __m256 y11 = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(d1, d2), d3), vb);
            const long x0 = 2 * g.tx, y0 = 2 * g.ty;
            const long count = 2 * g.len < w - x0 ? 2 * g.len : w - x0;
            float *plane = y + (g.b * cout + o) * h * w;
            put_row8(plane + y0 * w + x0, count, y00, y01);
            if (y0 + 1 < h) put_row8(plane + (y0 + 1) * w + x0, count, y10, y11);
        }
    }
}

/// The first `count` (0 … 16) floats at p as two vectors, zeros after.
static inline void get_row8(const float *p, long count, __m256 *lo, __m256 *hi) {
    *lo = load_first8(p, count);
    *hi = count > 8 ? load_first8(p + 8, count - 8) : _mm256_setzero_ps();
}

void kymo_winograd_grad8(const float *dy, long cout, long h, long w, long lo, long hi, float *m, long stride) {
    const long tilesX = (w + 1) / 2, tilesY = (h + 1) / 2, n = hi - lo;
    if (n <= 0) return;
    for (long o = 0; o < cout; o++) {
        cursor cur = cursor_at(tilesX, tilesY, lo, hi);
        while (cur.t < hi) {
            float *dst = m + o * n + (cur.t - lo);
            const group g = next_group(&cur);
            const long x0 = 2 * g.tx, y0 = 2 * g.ty;
            const long count = 2 * g.len < w - x0 ? 2 * g.len : w - x0;
            const float *plane = dy + (g.b * cout + o) * h * w;
            __m256 t0, t1, u0 = _mm256_setzero_ps(), u1 = _mm256_setzero_ps();
            get_row8(plane + y0 * w + x0, count, &t0, &t1);
            if (y0 + 1 < h) get_row8(plane + (y0 + 1) * w + x0, count, &u0, &u1);
            const long len = g.len;
            // dy = [[a0, a1], [b0, b1]]: rows of A·dy are (a, a + b, a − b, −b) per column,
            // then the same combination along each row
            const __m256 a0 = even8(t0, t1), a1 = odd8(t0, t1), b0 = even8(u0, u1), b1 = odd8(u0, u1);
#define ROW(i, c0, c1) do { \
            const __m256 r0 = (c0), r1 = (c1); \
            store_first8(dst + (4 * (i)) * stride, len, r0); \
            store_first8(dst + (4 * (i) + 1) * stride, len, _mm256_add_ps(r0, r1)); \
            store_first8(dst + (4 * (i) + 2) * stride, len, _mm256_sub_ps(r0, r1)); \
            store_first8(dst + (4 * (i) + 3) * stride, len, neg8(r1)); \
        } while (0)
            ROW(0, a0, a1);
            ROW(1, _mm256_add_ps(a0, b0), _mm256_add_ps(a1, b1));
            ROW(2, _mm256_sub_ps(a0, b0), _mm256_sub_ps(a1, b1));
            ROW(3, neg8(b0), neg8(b1));
#undef ROW
        }
    }
}

#pragma clang attribute pop

// ---- the weight gradient's Gᵀ·dV·G at AVX2 width (the AVX2 GEMM path) ----


__attribute__((target("avx2,fma")))
void kymo_winograd_weight_finish8(const float *partials, long groups, long plane, long cin, long o0, long o1, float *dw) {
    const long size = 16 * plane;
    const __m256 half = _mm256_set1_ps(0.5f);
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (long o = o0; o < o1; o++) {
        for (long c0 = 0; c0 < cin; c0 += 8) {
            const long lanes = cin - c0 < 8 ? cin - c0 : 8;
            const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)lanes), iota);   // the first `lanes` lanes
            __m256 v[16];
            for (int xi = 0; xi < 16; xi++) {   // Σ over groups in order (lanes past `lanes` read as 0)
                const float *src = partials + xi * plane + o * cin + c0;
                __m256 acc = lanes == 8 ? _mm256_loadu_ps(src) : _mm256_maskload_ps(src, k);
                for (long g = 1; g < groups; g++)
                    acc = _mm256_add_ps(acc, lanes == 8 ? _mm256_loadu_ps(src + g * size) : _mm256_maskload_ps(src + g * size, k));
                v[xi] = acc;
            }
            // Gᵀ = [[1,½,½,0],[0,½,−½,0],[0,½,½,1]] down the rows i, then along j
            __m256 q[4][3];
            for (int j = 0; j < 4; j++) {
                const __m256 v0 = v[j], v1 = v[4 + j], v2 = v[8 + j], v3 = v[12 + j];
                q[j][0] = _mm256_add_ps(v0, _mm256_mul_ps(half, _mm256_add_ps(v1, v2)));
                q[j][1] = _mm256_mul_ps(half, _mm256_sub_ps(v1, v2));
                q[j][2] = _mm256_add_ps(_mm256_mul_ps(half, _mm256_add_ps(v1, v2)), v3);
            }
            __m256 r[9];   // r[3a + j] = dW[o][c0 + lane][a][j]
            for (int a = 0; a < 3; a++) {
                const __m256 q0 = q[0][a], q1 = q[1][a], q2 = q[2][a], q3 = q[3][a];
                r[3 * a] = _mm256_add_ps(q0, _mm256_mul_ps(half, _mm256_add_ps(q1, q2)));
                r[3 * a + 1] = _mm256_mul_ps(half, _mm256_sub_ps(q1, q2));
                r[3 * a + 2] = _mm256_add_ps(_mm256_mul_ps(half, _mm256_add_ps(q1, q2)), q3);
            }
            float last[8];
            _mm256_storeu_ps(last, r[8]);
            kymo_transpose8(r);   // r[l] = the first eight of dW[o][c0 + l]
            float *dst = dw + (o * cin + c0) * 9;
            for (long l = 0; l < lanes; l++) {   // in increasing l: each 8-float store is completed by the next ninth
                _mm256_storeu_ps(dst + 9 * l, r[l]);
                dst[9 * l + 8] = last[l];
            }
        }
    }
}
