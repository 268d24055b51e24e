/* plat_symbolize on raw system calls: the executable's ELF .symtab, read
 * from /proc/self/exe mapped once, as host/posix/symbolize.c does; a
 * nolibc program is one static executable, so there is no other module.
 * Async-signal-safe: system calls and reads of the mapping only. */
#include <stdatomic.h>
#include <stdbool.h>

#include "nolibc.h"
#include "platform.h"
#include "../elfsym.h"

enum { MAXSEGS = 8 };

static atomic_int state;            /* 0 not tried, 1 being set up, 2 ready */
static struct elfsym_table tab;
static char exe_path[4096];
static int nseg;
static uintptr_t seglo[MAXSEGS], seghi[MAXSEGS];

static void init(void)
{
	long k = sys_readlinkat(NOLIBC_AT_FDCWD, "/proc/self/exe", exe_path, sizeof exe_path - 1);
	exe_path[k > 0 ? k : 0] = '\0';
	for (unsigned long i = 0; plat_nolibc_phdr != NULL && i < plat_nolibc_phnum && nseg < MAXSEGS; i++) {
		const struct nolibc_phdr *ph = &plat_nolibc_phdr[i];
		if (ph->p_type == ELFSYM_PT_LOAD && (ph->p_flags & ELFSYM_PF_X)) {
			seglo[nseg] = plat_nolibc_bias + ph->p_vaddr;
			seghi[nseg] = plat_nolibc_bias + ph->p_vaddr + ph->p_memsz;
			nseg++;
		}
	}
	long fd = sys_openat(NOLIBC_AT_FDCWD, "/proc/self/exe", NOLIBC_O_RDONLY | NOLIBC_O_CLOEXEC);
	if (fd < 0)
		return;
	long n = sys_lseek((int)fd, 0, 2 /* SEEK_END */);
	if (n > 0) {
		void *p = sys_mmap_fd((size_t)n, NOLIBC_PROT_READ, NOLIBC_MAP_PRIVATE, (int)fd);
		if ((unsigned long)p < (unsigned long)-4095)
			elfsym_init(&tab, p, (size_t)n);
	}
	sys_close((int)fd);
}

void plat_symbolize(uintptr_t pc, struct plat_symbol *s)
{
	int z = 0;
	/* acq_rel: the winner's set-up is published by its release store of 2,
	 * which the acquire loads below pair with */
	if (atomic_compare_exchange_strong_explicit(&state, &z, 1, memory_order_acq_rel,
	                                            memory_order_acquire)) {
		init();
		atomic_store_explicit(&state, 2, memory_order_release);
	}
	/* a concurrent first caller: bounded wait, then no name */
	for (int i = 0; i < 100000 && atomic_load_explicit(&state, memory_order_acquire) != 2; i++)
		sys_sched_yield();
	s->name = NULL;
	s->start = 0;
	s->module = NULL;
	s->bias = 0;
	if (atomic_load_explicit(&state, memory_order_acquire) != 2)
		return;
	bool in_exe = false;
	for (int i = 0; i < nseg; i++)
		in_exe |= pc >= seglo[i] && pc < seghi[i];
	if (!in_exe)
		return;
	s->module = exe_path[0] != '\0' ? exe_path : "/proc/self/exe";
	s->bias = plat_nolibc_bias;
	uint64_t start;
	const char *name = elfsym_lookup(&tab, pc - plat_nolibc_bias, &start);
	if (name != NULL) {
		s->name = name;
		s->start = (uintptr_t)start + plat_nolibc_bias;
	}
}
