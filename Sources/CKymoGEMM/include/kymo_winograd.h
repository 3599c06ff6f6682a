// The Winograd F(2×2, 3×3) data transforms (and the weight gradient's Gᵀ·dV·G) of Kymo's
// 3×3 convolution (TensorEngine's Tensor+Winograd.swift calls them): at AVX-512 width
// (16 tiles per vector) on the AVX-512 GEMM path, at AVX2 width (the `…8` functions,
// 8 tiles per vector) on the AVX2 path. Each output element is the same sequence of
// IEEE adds and subtracts, in the same order, at either width (negation as 0 − x, as
// Swift's SIMD negation in the 8-lane Swift loops they replaced), so the vector width
// changes no bit. Call the AVX-512 functions only where kymo_gemm_path() is
// KYMO_GEMM_AVX512 (the CPU then has AVX-512F); the `…8` ones need only AVX2.
//
//   tiles  2×2 output blocks ordered (b, ty, tx), tilesX = ⌈w/2⌉, tilesY = ⌈h/2⌉;
//          a chunk is the tiles lo ..< hi, n = hi − lo
//   x   [B, cin, h, w]      U  [16, cin, n]     U[ξ][c][t − lo] = (Bᵀ·d·B)[ξ], at u[ξ·plane + c·n + t − lo]
//   m   [cout, 16, n]       y  [B, cout, h, w]  y tile = Aᵀ·m·A + bias
//   dy  [B, cout, h, w]     dM [16, cout, n]    dM[ξ][o][t − lo] = (A·dy·Aᵀ)[ξ], at m[ξ·plane + o·n + t − lo]
//   (plane ≥ cin·n or cout·n: the engine pads it by 64 bytes, so that a tile's sixteen
//   values do not all map to one L1 cache set)
#ifndef KYMO_WINOGRAD_H
#define KYMO_WINOGRAD_H

#ifdef __cplusplus
extern "C" {
#endif

/// Floats of scratch kymo_winograd_input needs for a chunk of n tiles of a w-wide plane.
long kymo_winograd_input_scratch(long n, long w);

/// U of the chunk's tiles (the input transform); `scratch` holds kymo_winograd_input_scratch(n, w) floats.
void kymo_winograd_input(const float *x, long cin, long h, long w, long lo, long hi, float *u, long plane, float *scratch);

/// The chunk's outputs y = Aᵀ·m·A + bias (bias may be NULL: adds +0, as the Swift loop).
void kymo_winograd_output(const float *m, long cout, long h, long w, long lo, long hi, const float *bias, float *y);

/// dM of the chunk's tiles from the output gradient dy (outputs outside the image count as zero).
void kymo_winograd_grad(const float *dy, long cout, long h, long w, long lo, long hi, float *m, long plane);

/// dW[o] [cin, 3, 3] = Gᵀ·dV·G for o0 ≤ o < o1, from `groups` partial sums dV [16, cout, cin]
/// summed in group order first: dV[ξ][o][c] of group g at partials[(16·g + ξ)·plane + o·cin + c].
void kymo_winograd_weight_finish(const float *partials, long groups, long plane, long cin, long o0, long o1, float *dw);
/// The same four at AVX2 width, for the AVX2 GEMM path (need only AVX2; the same scratch).
void kymo_winograd_input8(const float *x, long cin, long h, long w, long lo, long hi, float *u, long plane, float *scratch);
void kymo_winograd_output8(const float *m, long cout, long h, long w, long lo, long hi, const float *bias, float *y);
void kymo_winograd_grad8(const float *dy, long cout, long h, long w, long lo, long hi, float *m, long plane);
void kymo_winograd_weight_finish8(const float *partials, long groups, long plane, long cin, long o0, long o1, float *dw);

#ifdef __cplusplus
}
#endif
#endif
