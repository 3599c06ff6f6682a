// Shared by gemm.c and gemm_avx512.c (not part of the public header).
#ifndef KYMO_GEMM_INTERNAL_H
#define KYMO_GEMM_INTERNAL_H

/// A micro-kernel: c[mr×nr] (ldc) = (load ? c : 0) + Σ_p pa[p·mr + r] · pb[p·nr + j],
/// one FMA per p in increasing p for every element.
typedef void (*kymo_kernel)(long kc, const float *pa, const float *pb, float *c, long ldc, int load);

void kymo_kernel_avx512_12x32(long kc, const float *pa, const float *pb, float *c, long ldc, int load);

/// An edge tile of `rows` ≤ mr × `cols` ≤ nr from the path's whole panels: it may compute
/// (and store to c) a tile larger than rows × cols, never one larger than mr × nr.
typedef void (*kymo_edge_kernel)(long kc, const float *pa, const float *pb, float *c, long ldc, int load, long rows, long cols);

/// A whole micro-tile (mr × nr) reading B's rows in place (b[p·ldb + j], no packing).
typedef void (*kymo_direct_kernel)(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load);

void kymo_kernel_avx512_12x32_direct(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load);

void kymo_kernel_avx512_edge(long kc, const float *pa, const float *pb, float *c, long ldc, int load, long rows, long cols);

/// An edge tile of exactly `rows` ≤ mr × `cols` ≤ nr, stored straight into c (nothing
/// outside the tile is read or written), from a packed panel or (direct) B's rows in place.
typedef void (*kymo_exact_kernel)(long kc, const float *pa, const float *pb, float *c, long ldc, int load, long rows, long cols);
typedef void (*kymo_exact_direct_kernel)(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load,
                                         long rows, long cols);

void kymo_kernel_avx512_exact(long kc, const float *pa, const float *pb, float *c, long ldc, int load, long rows, long cols);
void kymo_kernel_avx512_exact_direct(long kc, const float *pa, const float *b, long ldb, float *c, long ldc, int load,
                                     long rows, long cols);

#endif
