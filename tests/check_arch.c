/* Context-switch tests: callee-saved integer and FP registers (arm64 d8-d15),
 * per-goroutine FP control state (MXCSR + x87 CW on amd64, FPCR on arm64),
 * and 16-byte stack alignment at goroutine entry and after a resume.
 * Pairs with arch/amd64/switch.S and arch/arm64/switch.S. */
#include <fenv.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* Valgrind computes in round-to-nearest whatever the FP control state says
 * (and ignores x87 precision control), so tests of that state's switching
 * have nothing to observe under it. */
#ifdef GORO_VALGRIND
#include <valgrind/valgrind.h>
#define FP_MODES_REAL (!RUNNING_ON_VALGRIND)
#else
#define FP_MODES_REAL 1
#endif

/* ---- TestCalleeSavedRegisters ----
 * regs_work keeps 12 doubles and 8 integers live across an indirect call on
 * every iteration and updates all of them after it, so the compiler holds as
 * many as it can in callee-saved registers (amd64: rbx rbp r12-r15; arm64:
 * x19-x28 and d8-d15; amd64 has no callee-saved xmm). Called with goro_yield
 * the values must come out the same as with a no-op call: a switch that
 * drops one of those registers shows up as a different result. Each
 * goroutine starts from its own values, so a register leaking from another
 * goroutine is a mismatch too. */

#define REGS_G 8
#define REGS_ITERS TEST_SCALE(5000, 2000)

typedef struct regs_result {
	double d[12];
	unsigned long l[8];
} regs_result;

static void regs_noop(void) {}

static void (*volatile regs_noop_ptr)(void) = regs_noop;
static void (*volatile regs_yield_ptr)(void) = goro_yield;

static __attribute__((noinline)) void regs_work(int idx, int iters,
                                                void (*sw)(void), regs_result *out)
{
	double d0 = 1.0 + idx * 0.125, d1 = 2.0 + idx * 0.25, d2 = 3.0 - idx * 0.0625;
	double d3 = 0.5 + idx, d4 = 1.5 * idx + 0.75, d5 = 7.0 / (idx + 1);
	double d6 = 0.1 * idx + 0.3, d7 = 11.0 - idx, d8 = 0.01 * idx + 2.5;
	double d9 = 4.0 + idx * 3.0, d10 = 9.5 - 0.5 * idx, d11 = 6.25 + idx * idx;
	unsigned long l0 = 0x9e3779b97f4a7c15ul * (unsigned long)(idx + 1);
	unsigned long l1 = l0 ^ 0x1234567ul, l2 = l0 + 0xdeadbeeful, l3 = l0 * 3;
	unsigned long l4 = ~l0, l5 = l0 >> 7, l6 = l0 << 5, l7 = (unsigned long)idx * 977;

	for (int i = 0; i < iters; i++) {
		sw();
		/* every value is read and written after the call: each must survive it */
		double t = d0 + d11;
		d0 = d0 * 0.5 + d1 * 0.25 + 0.125;
		d1 = d1 * 0.5 + d2 * 0.25 + 0.25;
		d2 = d2 * 0.5 + d3 * 0.25 + 0.375;
		d3 = d3 * 0.5 + d4 * 0.25 + 0.5;
		d4 = d4 * 0.5 + d5 * 0.25 + 0.625;
		d5 = d5 * 0.5 + d6 * 0.25 + 0.75;
		d6 = d6 * 0.5 + d7 * 0.25 + 0.875;
		d7 = d7 * 0.5 + d8 * 0.25 + 1.0;
		d8 = d8 * 0.5 + d9 * 0.25 + 1.125;
		d9 = d9 * 0.5 + d10 * 0.25 + 1.25;
		d10 = d10 * 0.5 + d11 * 0.25 + 1.375;
		d11 = d11 * 0.5 + t * 0.125 + 1.5;
		unsigned long u = l0 + l7;
		l0 = l0 * 6364136223846793005ul + l1;
		l1 = (l1 ^ l2) + 1442695040888963407ul;
		l2 = l2 * 31 + l3;
		l3 = (l3 << 3 | l3 >> 61) ^ l4;
		l4 = l4 + l5 * 7;
		l5 = l5 ^ (l6 >> 3);
		l6 = l6 * 13 + l7;
		l7 = l7 + (u >> 11) + (unsigned long)i;
	}
	out->d[0] = d0; out->d[1] = d1; out->d[2] = d2; out->d[3] = d3;
	out->d[4] = d4; out->d[5] = d5; out->d[6] = d6; out->d[7] = d7;
	out->d[8] = d8; out->d[9] = d9; out->d[10] = d10; out->d[11] = d11;
	out->l[0] = l0; out->l[1] = l1; out->l[2] = l2; out->l[3] = l3;
	out->l[4] = l4; out->l[5] = l5; out->l[6] = l6; out->l[7] = l7;
}

static regs_result regs_want[REGS_G + 1];
static regs_result regs_got[REGS_G + 1];
static atomic_long regs_done;
static test_tidset regs_tids;

static void regs_fn(void *arg)
{
	int idx = (int)(intptr_t)arg;
	test_tidset_add(&regs_tids, test_gettid());
	regs_work(idx, REGS_ITERS, regs_yield_ptr, &regs_got[idx]);
	test_tidset_add(&regs_tids, test_gettid());
	atomic_fetch_add_explicit(&regs_done, 1, memory_order_release);
}

static int regs_main(void *arg)
{
	(void)arg;
	for (int g = 1; g <= REGS_G; g++)
		ck_assert_int_eq(goro_spawn(regs_fn, (void *)(intptr_t)g), GORO_OK);
	/* the main goroutine takes part too, as index 0 */
	regs_work(0, REGS_ITERS, regs_yield_ptr, &regs_got[0]);
	ck_assert(test_wait_atleast(&regs_done, REGS_G));
	for (int g = 0; g <= REGS_G; g++) {
		for (int k = 0; k < 12; k++)
			ck_assert_msg(memcmp(&regs_got[g].d[k], &regs_want[g].d[k],
			                     sizeof(double)) == 0,
			              "goroutine %d: double d%d = %.17g, want %.17g "
			              "(a callee-saved FP register was not preserved)",
			              g, k, regs_got[g].d[k], regs_want[g].d[k]);
		for (int k = 0; k < 8; k++)
			ck_assert_msg(regs_got[g].l[k] == regs_want[g].l[k],
			              "goroutine %d: long l%d = %#lx, want %#lx "
			              "(a callee-saved integer register was not preserved)",
			              g, k, regs_got[g].l[k], regs_want[g].l[k]);
	}
	return 0;
}

START_TEST(TestCalleeSavedRegisters)
{
	/* reference on the plain test thread, same code, no switches */
	for (int g = 0; g <= REGS_G; g++)
		regs_work(g, REGS_ITERS, regs_noop_ptr, &regs_want[g]);
	test_run(2, regs_main);
}
END_TEST

/* ---- TestFPRoundingPerGoroutine ----
 * Half the goroutines switch to FE_TOWARDZERO, half keep FE_TONEAREST; all
 * yield thousands of times on 2 Ps, so they share threads. fegetround()
 * reads the x87 CW on amd64 (FPCR on arm64), SSE division obeys MXCSR: both
 * must follow the goroutine, not the thread. */

#define FPR_G 4        /* per mode */
#define FPR_ITERS TEST_SCALE(3000, 1000)

static volatile double fpr_num = 1.0, fpr_den = 10.0;  /* 1/3 and 2/3 round alike */
static double fpr_want_rn, fpr_want_tz;
static atomic_long fpr_done;
static atomic_int fpr_bad_mode[2];
static atomic_int fpr_bad_div[2];
static atomic_int fpr_bad_start;

static __attribute__((noinline)) double fpr_div(void)
{
	double r = fpr_num / fpr_den;
	__asm__ volatile("" : "+m"(r));  /* keep it a run-time division */
	return r;
}

static void fpr_fn(void *arg)
{
	int tz = (int)(intptr_t)arg;
	/* a new goroutine starts in the default mode, whatever its thread ran */
	if (fegetround() != FE_TONEAREST)
		atomic_store(&fpr_bad_start, 1);
	if (tz)
		fesetround(FE_TOWARDZERO);
	int want_mode = tz ? FE_TOWARDZERO : FE_TONEAREST;
	double want = tz ? fpr_want_tz : fpr_want_rn;
	for (int i = 0; i < FPR_ITERS; i++) {
		goro_yield();
		if (fegetround() != want_mode)
			atomic_store(&fpr_bad_mode[tz], 1);
		double r = fpr_div();
		if (memcmp(&r, &want, sizeof r) != 0)
			atomic_store(&fpr_bad_div[tz], 1);
	}
	atomic_fetch_add_explicit(&fpr_done, 1, memory_order_release);
}

static int fpr_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < FPR_G; i++) {
		ck_assert_int_eq(goro_spawn(fpr_fn, (void *)(intptr_t)1), GORO_OK);
		ck_assert_int_eq(goro_spawn(fpr_fn, (void *)(intptr_t)0), GORO_OK);
	}
	ck_assert(test_wait_atleast(&fpr_done, 2 * FPR_G));
	ck_assert_msg(fegetround() == FE_TONEAREST, "main goroutine's rounding mode changed");
	ck_assert_msg(atomic_load(&fpr_bad_mode[1]) == 0,
	              "FE_TOWARDZERO goroutine saw another mode after a switch");
	ck_assert_msg(atomic_load(&fpr_bad_mode[0]) == 0,
	              "FE_TONEAREST goroutine saw another mode after a switch");
	ck_assert_msg(atomic_load(&fpr_bad_div[1]) == 0,
	              "FE_TOWARDZERO goroutine divided in another mode (MXCSR/FPCR not saved)");
	ck_assert_msg(atomic_load(&fpr_bad_div[0]) == 0,
	              "FE_TONEAREST goroutine divided in another mode (MXCSR/FPCR not saved)");
	ck_assert_msg(atomic_load(&fpr_bad_start) == 0,
	              "a new goroutine did not start in FE_TONEAREST");
	return 0;
}

START_TEST(TestFPRoundingPerGoroutine)
{
	if (!FP_MODES_REAL) {
		printf("TestFPRoundingPerGoroutine: skipped under valgrind\n");
		return;
	}
	ck_assert_int_eq(fesetround(FE_TOWARDZERO), 0);
	fpr_want_tz = fpr_div();
	ck_assert_int_eq(fesetround(FE_TONEAREST), 0);
	fpr_want_rn = fpr_div();
	ck_assert_msg(memcmp(&fpr_want_tz, &fpr_want_rn, sizeof(double)) != 0,
	              "test bug: 1/10 rounds the same in both modes");
	test_run(2, fpr_main);
}
END_TEST

#ifdef __x86_64__
/* ---- TestX87ControlWord (amd64) ----
 * Goroutines set x87 precision control to single (PC = 00) with fldcw; the
 * others keep the default 0x037f. The CW and an x87 division must follow
 * the goroutine across switches. */

#define X87_G 4
#define X87_ITERS 3000
#define X87_CW_SINGLE 0x007f   /* default 0x037f with PC bits 8-9 cleared */

static atomic_long x87_done;
static atomic_int x87_bad[2];

static inline unsigned short x87_getcw(void)
{
	unsigned short cw;
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return cw;
}

static inline void x87_setcw(unsigned short cw)
{
	__asm__ volatile("fldcw %0" : : "m"(cw));
}

static volatile long double x87_num = 1.0L, x87_den = 3.0L;

static __attribute__((noinline)) long double x87_div(void)
{
	long double r = x87_num / x87_den;
	__asm__ volatile("" : "+m"(r));
	return r;
}

static void x87_fn(void *arg)
{
	int single = (int)(intptr_t)arg;
	unsigned short want = single ? X87_CW_SINGLE : 0x037f;
	if (x87_getcw() != 0x037f)
		atomic_store(&x87_bad[single], 1);
	long double full = x87_div();
	if (single)
		x87_setcw(X87_CW_SINGLE);
	long double mine = x87_div();
	if (single && mine == full)
		atomic_store(&x87_bad[single], 1);  /* precision control had no effect */
	for (int i = 0; i < X87_ITERS; i++) {
		goro_yield();
		if (x87_getcw() != want)
			atomic_store(&x87_bad[single], 1);
		if (x87_div() != mine)
			atomic_store(&x87_bad[single], 1);
	}
	x87_setcw(0x037f);
	atomic_fetch_add_explicit(&x87_done, 1, memory_order_release);
}

static int x87_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < X87_G; i++) {
		ck_assert_int_eq(goro_spawn(x87_fn, (void *)(intptr_t)1), GORO_OK);
		ck_assert_int_eq(goro_spawn(x87_fn, (void *)(intptr_t)0), GORO_OK);
	}
	ck_assert(test_wait_atleast(&x87_done, 2 * X87_G));
	ck_assert_msg(atomic_load(&x87_bad[1]) == 0,
	              "single-precision goroutine lost its x87 control word");
	ck_assert_msg(atomic_load(&x87_bad[0]) == 0,
	              "default goroutine saw another goroutine's x87 control word");
	ck_assert_uint_eq(x87_getcw(), 0x037f);
	return 0;
}

START_TEST(TestX87ControlWord)
{
	if (!FP_MODES_REAL) {
		printf("TestX87ControlWord: skipped under valgrind\n");
		return;
	}
	test_run(2, x87_main);
}
END_TEST
#endif

/* ---- TestStackAlignment ----
 * The ABI promises a 16-byte aligned stack at every call; the compiler
 * relies on it for aligned(16) locals and SSE/NEON spills, and glibc's
 * varargs (printf "%f") spill xmm registers with movaps on amd64. Checked
 * at goroutine entry (goro_spawn and goro_spawn_copy with odd sizes), in a
 * callee, and after resuming from yields on either P. */

#define ALIGN_G 16
static atomic_long align_done;
static atomic_int align_bad;
static char align_why[128];

static void align_fail(const char *why)
{
	int expect = 0;
	if (atomic_compare_exchange_strong(&align_bad, &expect, 1))
		snprintf(align_why, sizeof align_why, "%s", why);
}

static inline uintptr_t launder(const void *p)
{
	uintptr_t u = (uintptr_t)p;
	__asm__ volatile("" : "+r"(u));  /* the compiler may not assume alignment */
	return u;
}

static __attribute__((noinline)) void align_callee(int salt)
{
	if (launder(__builtin_frame_address(0)) % 16 != 0)
		align_fail("frame address not 16-byte aligned in a callee");
	char a16[48] __attribute__((aligned(16)));
	if (launder(a16) % 16 != 0)
		align_fail("aligned(16) local misaligned");
	memset(a16, salt, sizeof a16);
	__asm__ volatile("" : : "r"(a16) : "memory");
	char a32[96] __attribute__((aligned(32)));
	memset(a32, salt + 1, sizeof a32);  /* vector stores into the stack */
	__asm__ volatile("" : : "r"(a32) : "memory");
	if (launder(a32) % 32 != 0)
		align_fail("aligned(32) local misaligned");
	volatile __int128 i128 = (__int128)salt << 70;
	volatile long double ld = (long double)salt / 3.0L;
	if ((int)(i128 >> 70) != salt || !(ld > 0 || salt == 0))
		align_fail("__int128 / long double local corrupted");
	char buf[64];
	snprintf(buf, sizeof buf, "%f %Lf %g", 3.25, (long double)0.5L, (double)salt);
	char want[64];
	strcpy(want, "3.250000 0.500000 ");
	size_t n = strlen(want);
	snprintf(want + n, sizeof want - n, "%d", salt);
	if (strcmp(buf, want) != 0)
		align_fail("snprintf of doubles gave the wrong text");
}

static void align_fn(void *arg)
{
	(void)arg;
	if (launder(__builtin_frame_address(0)) % 16 != 0)
		align_fail("frame address not 16-byte aligned at goroutine entry");
	for (int i = 0; i < 50; i++) {
		align_callee(i);
		goro_yield();
	}
	atomic_fetch_add_explicit(&align_done, 1, memory_order_release);
}

GORO_TEST(TestStackAlignment, 2)
{
	align_callee(7);
	static const char odd[GORO_SPAWN_COPY_MAX];
	for (int i = 0; i < ALIGN_G; i++) {
		ck_assert_int_eq(goro_spawn(align_fn, NULL), GORO_OK);
		/* copies of odd sizes must not leave the stack misaligned */
		ck_assert_int_eq(goro_spawn_copy(align_fn, odd, (size_t)(1 + i * 13)), GORO_OK);
	}
	ck_assert(test_wait_atleast(&align_done, 2 * ALIGN_G));
	align_callee(9);
	ck_assert_msg(atomic_load(&align_bad) == 0, "%s", align_why);
	return 0;
}

static Suite *arch_suite(void)
{
	Suite *s = suite_create("arch");
	TCase *tc = tcase_create("switch");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, TestCalleeSavedRegisters);
	tcase_add_test(tc, TestFPRoundingPerGoroutine);
#ifdef __x86_64__
	tcase_add_test(tc, TestX87ControlWord);
#endif
	tcase_add_test(tc, TestStackAlignment);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(arch_suite());
}
