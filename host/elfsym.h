/* ELF64 symbol lookup over a file mapped whole, for the hosts' plat_symbolize
 * (host/posix/symbolize.c, host/nolibc/platform.c). Header-only, libc-free
 * (its own ELF structs, so host/nolibc can use it), and async-signal-safe:
 * it only reads the mapping, checking every offset against its size, so a
 * truncated or hostile file gives no name rather than a fault. */
#ifndef GORO_HOST_ELFSYM_H
#define GORO_HOST_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

struct elfsym_ehdr {
	unsigned char e_ident[16];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elfsym_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elfsym_shdr {
	uint32_t sh_name, sh_type;
	uint64_t sh_flags, sh_addr, sh_offset, sh_size;
	uint32_t sh_link, sh_info;
	uint64_t sh_addralign, sh_entsize;
};

struct elfsym_sym {
	uint32_t st_name;
	unsigned char st_info, st_other;
	uint16_t st_shndx;
	uint64_t st_value, st_size;
};

enum { ELFSYM_PT_LOAD = 1, ELFSYM_PT_PHDR = 6, ELFSYM_PF_X = 1,
       ELFSYM_SHT_SYMTAB = 2, ELFSYM_SHT_DYNSYM = 11, ELFSYM_STT_FUNC = 2 };

/* One file's function symbols: .symtab (static functions too), or .dynsym
 * when the file was stripped of .symtab. */
struct elfsym_table {
	const struct elfsym_sym *sym;
	size_t nsym;
	const char *str;
	size_t nstr;
};

/* Find the symbol table in the image [p, p + n). 0, or -1 if there is none
 * (a stripped file, not ELF64). */
static inline int elfsym_init(struct elfsym_table *t, const void *p, size_t n)
{
	const unsigned char *b = p;
	const struct elfsym_ehdr *eh = p;

	t->nsym = 0;
	if (n < sizeof *eh || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F' || b[4] != 2)
		return -1;
	if (eh->e_shentsize != sizeof(struct elfsym_shdr) || eh->e_shoff > n ||
	    (n - eh->e_shoff) / sizeof(struct elfsym_shdr) < eh->e_shnum || eh->e_shoff % 8 != 0)
		return -1;
	const struct elfsym_shdr *sh = (const struct elfsym_shdr *)(b + eh->e_shoff);
	int best = -1;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type == ELFSYM_SHT_SYMTAB) {
			best = i;
			break;
		}
		if (sh[i].sh_type == ELFSYM_SHT_DYNSYM && best < 0)
			best = i;
	}
	if (best < 0)
		return -1;
	const struct elfsym_shdr *s = &sh[best];
	if (s->sh_link >= eh->e_shnum || s->sh_offset > n || s->sh_size > n - s->sh_offset ||
	    s->sh_offset % 8 != 0)
		return -1;
	const struct elfsym_shdr *st = &sh[s->sh_link];
	if (st->sh_offset > n || st->sh_size > n - st->sh_offset || st->sh_size == 0)
		return -1;
	t->sym = (const struct elfsym_sym *)(b + s->sh_offset);
	t->nsym = s->sh_size / sizeof(struct elfsym_sym);
	t->str = (const char *)(b + st->sh_offset);
	t->nstr = st->sh_size;
	return 0;
}

/* The function holding the file address a: its name (inside the mapping,
 * NUL-terminated), and its address in *start; NULL if no function symbol
 * covers a. A linear scan: tracebacks are rare and may not allocate. */
static inline const char *elfsym_lookup(const struct elfsym_table *t, uint64_t a, uint64_t *start)
{
	for (size_t i = 0; i < t->nsym; i++) {
		const struct elfsym_sym *s = &t->sym[i];
		if ((s->st_info & 0xf) != ELFSYM_STT_FUNC || s->st_shndx == 0)
			continue;
		if (a < s->st_value || a - s->st_value >= (s->st_size != 0 ? s->st_size : 1))
			continue;
		if (s->st_name >= t->nstr)
			continue;
		/* the table's last byte is NUL by the format; check, never trust */
		if (t->str[t->nstr - 1] != '\0')
			return NULL;
		*start = s->st_value;
		return t->str + s->st_name;
	}
	return NULL;
}

#endif
