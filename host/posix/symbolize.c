/* plat_symbolize: code addresses to function names for core's tracebacks
 * (Go's findfunc/funcname, which Go answers from its own pclntab). The
 * executable's own ELF .symtab, read from /proc/self/exe mapped once, names
 * static functions and works in static binaries; other objects are found by
 * dladdr and their files' .symtab read the same way, falling back to
 * dladdr's exported name. Async-signal-safe: no malloc, no stdio, no locks
 * but a spin flag taken only to add a module; what it returns stays valid. */
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform.h"
#include "../elfsym.h"

enum { MAXMODS = 16, MAXSEGS = 8 };

/* An object whose file was mapped (or could not be: tab.nsym == 0). */
struct module {
	uintptr_t bias;              /* load bias: pc - bias is the address in the file */
	const char *path;
	struct elfsym_table tab;
	int nseg;                    /* the executable's PT_LOADs, to tell its pcs apart */
	uintptr_t seglo[MAXSEGS], seghi[MAXSEGS];
};

static struct module mods[MAXMODS];
static atomic_int nmods;         /* published entries (release); mods[0] the executable */
static atomic_int adding;        /* spin flag: one thread adds a module at a time */
static atomic_int exe_state;     /* 0 not tried, 1 done (mods[0] valid or nseg 0) */
static char exe_path[4096];

/* Map a whole file read-only; NULL if it cannot be. */
static const void *map_file(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	void *p = MAP_FAILED;
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*n = (size_t)st.st_size;
	return p;
}

static bool lock_adding(void)
{
	/* acquire: pairs with the release below, so the last adder's entries
	 * are complete before this one looks; bounded, since a fault handler
	 * must not wait forever on a thread that may itself have died */
	for (int i = 0; i < 100000; i++) {
		int z = 0;
		if (atomic_compare_exchange_weak_explicit(&adding, &z, 1, memory_order_acquire,
		                                          memory_order_relaxed))
			return true;
		sched_yield();
	}
	return false;
}

static void unlock_adding(void)
{
	atomic_store_explicit(&adding, 0, memory_order_release);
}

/* The executable: its path, load bias and segments from the auxiliary
 * vector's program headers, its symbols from /proc/self/exe. */
static void exe_init(void)
{
	struct module *m = &mods[0];
	const struct elfsym_phdr *ph = (const void *)getauxval(AT_PHDR);
	size_t phnum = getauxval(AT_PHNUM);
	ssize_t k = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);

	exe_path[k > 0 ? k : 0] = '\0';
	m->path = k > 0 ? exe_path : "/proc/self/exe";
	if (ph == NULL)
		return;
	bool have_bias = false;
	for (size_t i = 0; i < phnum; i++)
		if (ph[i].p_type == ELFSYM_PT_PHDR) {
			m->bias = (uintptr_t)ph - ph[i].p_vaddr;
			have_bias = true;
		}
	size_t n = 0;
	const void *img = map_file("/proc/self/exe", &n);
	if (!have_bias && img != NULL) {
		/* no PT_PHDR (some static links): the headers sit e_phoff into
		 * the segment that maps the file's start */
		const struct elfsym_ehdr *eh = img;
		for (size_t i = 0; i < phnum; i++)
			if (ph[i].p_type == ELFSYM_PT_LOAD && ph[i].p_offset == 0)
				m->bias = (uintptr_t)ph - eh->e_phoff - ph[i].p_vaddr;
	}
	for (size_t i = 0; i < phnum && m->nseg < MAXSEGS; i++)
		if (ph[i].p_type == ELFSYM_PT_LOAD && (ph[i].p_flags & ELFSYM_PF_X)) {
			m->seglo[m->nseg] = m->bias + ph[i].p_vaddr;
			m->seghi[m->nseg] = m->bias + ph[i].p_vaddr + ph[i].p_memsz;
			m->nseg++;
		}
	if (img != NULL)
		elfsym_init(&m->tab, img, n);
}

static struct module *exe_module(void)
{
	if (atomic_load_explicit(&exe_state, memory_order_acquire) == 0 && lock_adding()) {
		if (atomic_load_explicit(&exe_state, memory_order_relaxed) == 0) {
			exe_init();
			atomic_store_explicit(&nmods, 1, memory_order_release);
			atomic_store_explicit(&exe_state, 1, memory_order_release);
		}
		unlock_adding();
	}
	return atomic_load_explicit(&exe_state, memory_order_acquire) ? &mods[0] : NULL;
}

/* A shared object dladdr found: the cached entry, or a new one. */
static struct module *so_module(uintptr_t bias, const char *path)
{
	int n = atomic_load_explicit(&nmods, memory_order_acquire);
	for (int i = 1; i < n; i++)
		if (mods[i].bias == bias && strcmp(mods[i].path, path) == 0)
			return &mods[i];
	if (!lock_adding())
		return NULL;
	struct module *m = NULL;
	n = atomic_load_explicit(&nmods, memory_order_relaxed);
	for (int i = 1; i < n; i++)
		if (mods[i].bias == bias && strcmp(mods[i].path, path) == 0)
			m = &mods[i];
	if (m == NULL && n < MAXMODS) {
		m = &mods[n];
		m->bias = bias;
		m->path = path;   /* the link map's string: lives as long as the object */
		size_t sz = 0;
		const void *img = map_file(path, &sz);
		if (img != NULL)
			elfsym_init(&m->tab, img, sz);
		atomic_store_explicit(&nmods, n + 1, memory_order_release);
	}
	unlock_adding();
	return m;
}

void plat_symbolize(uintptr_t pc, struct plat_symbol *s)
{
	struct module *m = exe_module();
	Dl_info info;
	struct link_map *lm = NULL;
	bool in_exe = false;

	memset(s, 0, sizeof *s);
	if (m != NULL)
		for (int i = 0; i < m->nseg; i++)
			in_exe |= pc >= m->seglo[i] && pc < m->seghi[i];
	if (!in_exe) {
		m = NULL;
		if (dladdr1((void *)pc, &info, (void **)&lm, RTLD_DL_LINKMAP) == 0 || lm == NULL)
			return;
		if (lm->l_name != NULL && lm->l_name[0] != '\0')
			m = so_module((uintptr_t)lm->l_addr, lm->l_name);
		if (m == NULL || m->tab.nsym == 0) {
			/* no file to read: dladdr's exported name, nearest below */
			s->module = lm->l_name;
			s->bias = (uintptr_t)lm->l_addr;
			if (info.dli_sname != NULL) {
				s->name = info.dli_sname;
				s->start = (uintptr_t)info.dli_saddr;
			}
			return;
		}
	}
	s->module = m->path;
	s->bias = m->bias;
	uint64_t start;
	const char *name = elfsym_lookup(&m->tab, pc - m->bias, &start);
	if (name != NULL) {
		s->name = name;
		s->start = (uintptr_t)start + m->bias;
	}
}
