// CPU feature checks for Kymo (compiled for baseline x86-64: this file must run
// on any CPU, so that a machine without AVX2/FMA gets a message, not SIGILL).
#include "kymo_gemm.h"
#include <cpuid.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static unsigned long long xgetbv0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

// Filled once (pthread_once): any thread may ask, the first call computes it.
static char missing[160];
static pthread_once_t missing_once = PTHREAD_ONCE_INIT;

static void find_missing_features(void) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    missing[0] = 0;
#define MISSING(name) strcat(missing, missing[0] ? " " name : name)
    if (!__get_cpuid(1, &a, &b, &c, &d)) { MISSING("cpuid"); return; }
    unsigned c1 = c;
    int osxsave = (c1 >> 27) & 1;
    if (!((c1 >> 12) & 1)) MISSING("fma");
    if (!((c1 >> 28) & 1)) MISSING("avx");
    if (!((c1 >> 29) & 1)) MISSING("f16c");
    if (!((c1 >> 22) & 1)) MISSING("movbe");
    if (!((c1 >> 23) & 1)) MISSING("popcnt");
    if (!osxsave || (xgetbv0() & 6) != 6) MISSING("os-avx-state");
    unsigned b7 = 0;
    if (__get_cpuid_max(0, 0) >= 7) { __cpuid_count(7, 0, a, b, c, d); b7 = b; }
    if (!((b7 >> 5) & 1)) MISSING("avx2");
    if (!((b7 >> 3) & 1)) MISSING("bmi1");
    if (!((b7 >> 8) & 1)) MISSING("bmi2");
    unsigned c81 = 0;
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) c81 = c;
    if (!((c81 >> 5) & 1)) MISSING("lzcnt");
#undef MISSING
}

const char *kymo_cpu_missing_features(void) {
    pthread_once(&missing_once, find_missing_features);
    return missing;
}

int kymo_cpu_has_avx2_fma(void) { return kymo_cpu_missing_features()[0] == 0; }

int kymo_cpu_has_avx512f(void) {
    unsigned a, b, c, d;
    if (!kymo_cpu_has_avx2_fma()) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    if (!((b >> 16) & 1)) return 0;
    return (xgetbv0() & 0xE6) == 0xE6;   // SSE, AVX, opmask, ZMM0-15 high halves, ZMM16-31
}

void kymo_cpu_brand(char *buf, int size) {
    unsigned r[12] = {0};
    if (size <= 0) return;
    buf[0] = 0;
    if (__get_cpuid_max(0x80000000, 0) < 0x80000004) return;
    for (unsigned i = 0; i < 3; i++) __get_cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
    char s[49];
    memcpy(s, r, 48); s[48] = 0;
    const char *p = s;
    while (*p == ' ') p++;
    int n = (int)strlen(p);
    while (n > 0 && p[n - 1] == ' ') n--;
    if (n > size - 1) n = size - 1;
    memcpy(buf, p, (size_t)n); buf[n] = 0;
}

// Kymo's Swift code is compiled with `-target-cpu haswell`, so any of it (even
// `main`) may contain AVX2/FMA instructions. This runs before `main` and stops
// a process on a CPU that cannot run them, with a message instead of SIGILL.
__attribute__((constructor)) static void kymo_cpu_guard(void) {
    const char *m = kymo_cpu_missing_features();
    if (m[0] == 0) return;
    static const char head[] = "kymo: this CPU cannot run Kymo: it needs an x86-64 CPU with AVX2 and FMA "
                               "(Intel Haswell / AMD Zen or later); missing: ";
    ssize_t r = write(2, head, sizeof head - 1);
    r = write(2, m, strlen(m));
    r = write(2, "\n", 1);
    (void)r;
    _exit(1);
}
