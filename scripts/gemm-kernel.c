// The AVX2 micro-kernel alone and the variants tried against it (docs/engine.md
// "Speed", the AVX2 path on Zen 3): thread CPU time, best of 15, in % of the
// AVX2 FMA peak, (1) in L1 — one A panel and one B panel, kc = 256, 1000 calls —
// and (2) as the driver runs it — 24 row tiles of a 144×256 A block (L2) against
// one B panel, C's rows ldc floats apart (default 2048: 8 KB, so they share L1
// sets; 16 puts C's tiles side by side). Timing only, the variants' values are
// not checked (the 4×24 and register-broadcast ones read the same buffers in
// another layout). Not part of the build or the tests:
//
//   clang -O3 -ffp-contract=off -march=haswell -ISources/CKymoGEMM/include scripts/gemm-kernel.c \
//     Sources/CKymoGEMM/gemm_avx512.c Sources/CKymoGEMM/cpu.c Sources/CKymoGEMM/fma_peak.c \
//     -o /tmp/gemm-kernel -lpthread
//   /tmp/gemm-kernel 2048
#include "../Sources/CKymoGEMM/gemm.c"
#include <stdio.h>
#include <time.h>
static double cpu(void){struct timespec t;clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#pragma clang attribute push (__attribute__((target("avx2,fma"))), apply_to = function)
__attribute__((noinline)) static void k_cur(long kc,const float*pa,const float*pb,float*c,long ldc,int load){kernel_avx2_6x16(kc,pa,pb,c,ldc,load);}
// 6x16 unrolled 4 in k
__attribute__((noinline)) static void k_u4(long kc,const float*pa,const float*pb,float*c,long ldc,int load){
  __m256 acc[6][2];
  for(int r=0;r<6;r++){acc[r][0]=load?_mm256_loadu_ps(c+r*ldc):_mm256_setzero_ps();acc[r][1]=load?_mm256_loadu_ps(c+r*ldc+8):_mm256_setzero_ps();}
  long p=0;
#define STEP(q) { __m256 b0=_mm256_load_ps(pb+16*(q)),b1=_mm256_load_ps(pb+16*(q)+8); \
    for(int r=0;r<6;r++){__m256 a=_mm256_broadcast_ss(pa+6*(q)+r);acc[r][0]=_mm256_fmadd_ps(a,b0,acc[r][0]);acc[r][1]=_mm256_fmadd_ps(a,b1,acc[r][1]);} }
  for(;p+4<=kc;p+=4){ STEP(0) STEP(1) STEP(2) STEP(3) pa+=24; pb+=64; }
  for(;p<kc;p++){ STEP(0) pa+=6; pb+=16; }
  for(int r=0;r<6;r++){_mm256_storeu_ps(c+r*ldc,acc[r][0]);_mm256_storeu_ps(c+r*ldc+8,acc[r][1]);}
}
// 6x16 with B prefetch 4 rows ahead... (B panel 64 B per k)
__attribute__((noinline)) static void k_pf(long kc,const float*pa,const float*pb,float*c,long ldc,int load){
  __m256 acc[6][2];
  for(int r=0;r<6;r++){_mm_prefetch((const char*)(c+r*ldc),_MM_HINT_T0);}
  for(int r=0;r<6;r++){acc[r][0]=load?_mm256_loadu_ps(c+r*ldc):_mm256_setzero_ps();acc[r][1]=load?_mm256_loadu_ps(c+r*ldc+8):_mm256_setzero_ps();}
  for(long p=0;p<kc;p++){ _mm_prefetch((const char*)(pa+6*16),_MM_HINT_T0); STEP(0) pa+=6; pb+=16; }
  for(int r=0;r<6;r++){_mm256_storeu_ps(c+r*ldc,acc[r][0]);_mm256_storeu_ps(c+r*ldc+8,acc[r][1]);}
}
#undef STEP
// 4x24: 12 accumulators, 3 B loads + 4 broadcasts per k
__attribute__((noinline)) static void k_4x24(long kc,const float*pa,const float*pb,float*c,long ldc,int load){
  __m256 acc[4][3];
  for(int r=0;r<4;r++)for(int v=0;v<3;v++)acc[r][v]=load?_mm256_loadu_ps(c+r*ldc+8*v):_mm256_setzero_ps();
  for(long p=0;p<kc;p++){ __m256 b0=_mm256_load_ps(pb),b1=_mm256_load_ps(pb+8),b2=_mm256_load_ps(pb+16);
    for(int r=0;r<4;r++){__m256 a=_mm256_broadcast_ss(pa+r);acc[r][0]=_mm256_fmadd_ps(a,b0,acc[r][0]);acc[r][1]=_mm256_fmadd_ps(a,b1,acc[r][1]);acc[r][2]=_mm256_fmadd_ps(a,b2,acc[r][2]);}
    pa+=4; pb+=24; }
  for(int r=0;r<4;r++)for(int v=0;v<3;v++)_mm256_storeu_ps(c+r*ldc+8*v,acc[r][v]);
}
// 6x16 with A broadcast from registers: load 6 A values as... (vpermilps from a 128-bit broadcast)
__attribute__((noinline)) static void k_perm(long kc,const float*pa,const float*pb,float*c,long ldc,int load){
  __m256 acc[6][2];
  for(int r=0;r<6;r++){acc[r][0]=load?_mm256_loadu_ps(c+r*ldc):_mm256_setzero_ps();acc[r][1]=load?_mm256_loadu_ps(c+r*ldc+8):_mm256_setzero_ps();}
  for(long p=0;p<kc;p++){ __m256 b0=_mm256_load_ps(pb),b1=_mm256_load_ps(pb+8);
    __m256 x=_mm256_broadcast_ps((const __m128*)pa); // a0..a3 twice
    __m256 y=_mm256_castps128_ps256(_mm_castpd_ps(_mm_load_sd((const double*)(pa+4)))); y=_mm256_insertf128_ps(y,_mm256_castps256_ps128(y),1);
    __m256 a;
    a=_mm256_permute_ps(x,0x00);acc[0][0]=_mm256_fmadd_ps(a,b0,acc[0][0]);acc[0][1]=_mm256_fmadd_ps(a,b1,acc[0][1]);
    a=_mm256_permute_ps(x,0x55);acc[1][0]=_mm256_fmadd_ps(a,b0,acc[1][0]);acc[1][1]=_mm256_fmadd_ps(a,b1,acc[1][1]);
    a=_mm256_permute_ps(x,0xAA);acc[2][0]=_mm256_fmadd_ps(a,b0,acc[2][0]);acc[2][1]=_mm256_fmadd_ps(a,b1,acc[2][1]);
    a=_mm256_permute_ps(x,0xFF);acc[3][0]=_mm256_fmadd_ps(a,b0,acc[3][0]);acc[3][1]=_mm256_fmadd_ps(a,b1,acc[3][1]);
    a=_mm256_permute_ps(y,0x00);acc[4][0]=_mm256_fmadd_ps(a,b0,acc[4][0]);acc[4][1]=_mm256_fmadd_ps(a,b1,acc[4][1]);
    a=_mm256_permute_ps(y,0x55);acc[5][0]=_mm256_fmadd_ps(a,b0,acc[5][0]);acc[5][1]=_mm256_fmadd_ps(a,b1,acc[5][1]);
    pa+=6; pb+=16; }
  for(int r=0;r<6;r++){_mm256_storeu_ps(c+r*ldc,acc[r][0]);_mm256_storeu_ps(c+r*ldc+8,acc[r][1]);}
}
#pragma clang attribute pop
typedef void (*kfn)(long,const float*,const float*,float*,long,int);
int main(int argc,char**argv){
  int lanes,chains; float sink=0; double best=1e9;
  for(int r=0;r<16;r++){double t0=cpu();sink+=kymo_fma_peak_chains(1,500000,sink,&lanes,&chains);double t=cpu()-t0;if(t<best)best=t;}
  double peak=500000.0*lanes*chains*2/best/1e9; printf("peak %.1f GFLOP/s\n",peak);
  long KCx=256, ldc=argc>1?atol(argv[1]):2048;
  float *A=aligned_alloc(64,4*144*KCx), *B=aligned_alloc(64,4*24*KCx), *C=aligned_alloc(64,4*144*ldc);
  for(long i=0;i<144*KCx;i++)A[i]=(i%7)*0.1f; for(long i=0;i<24*KCx;i++)B[i]=(i%5)*0.1f; for(long i=0;i<144*ldc;i++)C[i]=0;
  struct {const char*n;kfn f;int mr,nr;} ks[]={{"6x16 cur",k_cur,6,16},{"6x16 u4",k_u4,6,16},{"6x16 pfA",k_pf,6,16},{"6x16 perm",k_perm,6,16},{"4x24",k_4x24,4,24}};
  for(int round=0;round<2;round++)
  for(unsigned i=0;i<sizeof ks/sizeof*ks;i++){
    // L1: the same A panel, 1000 calls
    double bl=1e9,bd=1e9;
    for(int r=0;r<15;r++){double t0=cpu();for(int j=0;j<1000;j++)ks[i].f(KCx,A,B,C+(j&1)*16*0,ldc,1);double t=cpu()-t0;if(t<bl)bl=t;}
    // driver-like: 144 rows of A (L2), one B panel, tiles down C
    for(int r=0;r<15;r++){double t0=cpu();for(int j=0;j<40;j++)for(long ir=0;ir+ks[i].mr<=144;ir+=ks[i].mr)ks[i].f(KCx,A+ir*KCx,B,C+ir*ldc,ldc,1);double t=cpu()-t0;if(t<bd)bd=t;}
    double fl1=2.0*ks[i].mr*ks[i].nr*KCx*1000, fld=2.0*144*ks[i].nr*KCx*40;
    printf("%-10s L1 %5.1f%%  A-block %5.1f%%\n",ks[i].n,100*fl1/bl/1e9/peak,100*fld/bd/1e9/peak);
  }
  return (int)sink*0;
}
