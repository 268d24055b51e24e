/* The process's first instructions and its thread-local storage: _start
 * (asm, in sys_<arch>.h) hands the initial stack to plat_nolibc_start_c,
 * which finds argc, argv, envp and the auxiliary vector, builds the main
 * thread's TLS from the PT_TLS program header, and calls main. What crt1.o,
 * libc's static TLS set-up (__libc_setup_tls, musl's __init_tls) and getenv
 * do, and nothing more. */
#define NOLIBC_EMIT_ASM
#include "nolibc.h"
#include "platform.h"

int main(int argc, char **argv, char **envp);

static char **envp_saved;	/* written once, before main */

/* The PT_TLS segment: init image (filesz bytes, then zeros up to memsz),
 * its alignment, and where the block sits relative to the thread pointer.
 * Written once by tls_setup before any thread exists; read-only after. */
static const unsigned char *tls_image;
static size_t tls_filesz, tls_memsz, tls_align = 1;
size_t plat_nolibc_tls_size;
size_t plat_nolibc_pagesize = 4096;

enum { TCB_SIZE = 64 };	/* what sits at the thread pointer (>= the 16 ABI bytes) */

static size_t round_up(size_t n, size_t a)
{
	return (n + a - 1) & ~(a - 1);
}

/* Find PT_TLS through AT_PHDR/AT_PHNUM (no getauxval). The load bias comes
 * from PT_PHDR, so this also holds for a static-pie. */
const struct nolibc_phdr *plat_nolibc_phdr;
unsigned long plat_nolibc_phnum;
uintptr_t plat_nolibc_bias;

static void tls_setup(const unsigned long *auxv)
{
	const struct nolibc_phdr *ph = NULL;
	unsigned long phnum = 0;
	uintptr_t bias = 0;

	for (; auxv[0] != 0; auxv += 2) {
		if (auxv[0] == NOLIBC_AT_PHDR)
			ph = (const struct nolibc_phdr *)auxv[1];
		else if (auxv[0] == NOLIBC_AT_PHNUM)
			phnum = auxv[1];
		else if (auxv[0] == NOLIBC_AT_PAGESZ)
			plat_nolibc_pagesize = auxv[1];
	}
	for (unsigned long i = 0; ph != NULL && i < phnum; i++)
		if (ph[i].p_type == NOLIBC_PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	plat_nolibc_phdr = ph;
	plat_nolibc_phnum = phnum;
	plat_nolibc_bias = bias;
	for (unsigned long i = 0; ph != NULL && i < phnum; i++) {
		if (ph[i].p_type != NOLIBC_PT_TLS)
			continue;
		tls_image = (const unsigned char *)(bias + ph[i].p_vaddr);
		tls_filesz = ph[i].p_filesz;
		tls_memsz = ph[i].p_memsz;
		tls_align = ph[i].p_align > 1 ? ph[i].p_align : 1;
	}
	/* Room for the worst alignment of the area, the block and the TCB. */
	plat_nolibc_tls_size = round_up(tls_memsz, tls_align) + tls_align +
	    round_up(TCB_SIZE, tls_align) + 16;
}

/* A fresh TLS block in [area, area + plat_nolibc_tls_size), zeroed memory
 * from mmap. Returns the thread pointer. The block's place must match what
 * the linker assumed when it resolved local-exec offsets:
 *  variant II (amd64): block ends at tp, starts at tp - round_up(memsz, align);
 *    the word at tp holds tp (%fs:0 reads the thread pointer);
 *  variant I (arm64): 16-byte TCB at tp, block at tp + round_up(16, align). */
void *plat_nolibc_tls_init(void *area)
{
	size_t a = tls_align < 16 ? 16 : tls_align;
	uintptr_t tp, block;

#if NOLIBC_TLS_VARIANT == 2
	tp = round_up((uintptr_t)area + round_up(tls_memsz, tls_align), a);
	block = tp - round_up(tls_memsz, tls_align);
	*(uintptr_t *)tp = tp;
#else
	tp = round_up((uintptr_t)area, a);
	block = tp + round_up(16, tls_align);
#endif
	if (tls_filesz > 0)
		memcpy((void *)block, tls_image, tls_filesz);
	/* bytes filesz..memsz (.tbss) are still zero from mmap */
	return (void *)tp;
}

/* Called by _start with the kernel's initial stack: argc, argv[], NULL,
 * envp[], NULL, auxv pairs ending with AT_NULL. Runs before any TLS exists:
 * touches no _Thread_local until sys_set_tp returned. */
_Noreturn void plat_nolibc_start_c(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	char **e = envp;
	void *area;

	while (*e != NULL)
		e++;
	tls_setup((const unsigned long *)(e + 1));
	envp_saved = envp;
	area = sys_mmap(NULL, round_up(plat_nolibc_tls_size, plat_nolibc_pagesize),
	    NOLIBC_PROT_READ | NOLIBC_PROT_WRITE, NOLIBC_MAP_PRIVATE | NOLIBC_MAP_ANONYMOUS);
	if ((uintptr_t)area >= (uintptr_t)-4095) {
		static const char msg[] = "goro: fatal error: cannot map the main thread's TLS\n";
		plat_write_err(msg, sizeof msg - 1);
		sys_exit_group(2);
	}
	sys_set_tp(plat_nolibc_tls_init(area));
	sys_exit_group(main(argc, argv, envp));
}

/* gogetenv: the value of name in the environment _start found. */
const char *plat_getenv(const char *name)
{
	for (char **e = envp_saved; e != NULL && *e != NULL; e++) {
		const char *s = *e, *n = name;

		while (*n != '\0' && *s == *n)
			s++, n++;
		if (*n == '\0' && *s == '=')
			return s + 1;
	}
	return NULL;
}
