/* simd.h - which vector loops a build of heed has.
 *
 * HEED_SSE2: the SSE2 loops (SSE2 is part of every x86-64 CPU).
 * HEED_X86_AVX2: the AVX2 loops, compiled with target("avx2") and taken at
 * run time only on a CPU that has AVX2 (and what else each one needs).
 *
 * Every vector loop has a plain C twin, which CPUs other than x86-64 run.
 * A build with HEED_NO_SIMD defined (cmake -DHEED_PORTABLE=ON) has only the
 * twins, so that x86-64 machines test the code the others run
 * (scripts/test.sh --portable, in CI). */
#ifndef HEED_SIMD_H
#define HEED_SIMD_H

#if defined(__SSE2__) && !defined(HEED_NO_SIMD)
#define HEED_SSE2 1
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(HEED_NO_SIMD)
#define HEED_X86_AVX2 1
#endif

#endif
