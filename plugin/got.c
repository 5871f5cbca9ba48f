// SPDX-License-Identifier: GPL-2.0
/* Debian's openvpn is PIE with full RELRO: imported functions are called
 * through GOT slots resolved at start and then made read-only. Redirecting
 * one means finding its relocation in the executable's dynamic section and
 * writing the slot with its page made writable for a moment. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "got.h"

struct got_search {
	const char *symbol;
	void **slot;
};

/* Dynamic-section pointers are relocated in place by the loader; be robust
 * to an unrelocated one too. */
static uintptr_t dyn_ptr(const struct dl_phdr_info *info, ElfW(Addr) p)
{
	return p < info->dlpi_addr ? info->dlpi_addr + p : p;
}

static void **find_in_relocs(const struct dl_phdr_info *info, const ElfW(Rela) *rel,
			     size_t size, const ElfW(Sym) *symtab, const char *strtab,
			     const char *symbol)
{
	for (size_t i = 0; rel && i < size / sizeof(*rel); i++) {
		const ElfW(Sym) *sym = &symtab[ELF64_R_SYM(rel[i].r_info)];

		if (ELF64_R_SYM(rel[i].r_info) && !strcmp(strtab + sym->st_name, symbol))
			return (void **)(info->dlpi_addr + rel[i].r_offset);
	}
	return NULL;
}

static int search_main(struct dl_phdr_info *info, size_t size, void *data)
{
	struct got_search *s = data;
	const ElfW(Rela) *jmprel = NULL, *rela = NULL;
	size_t jmprel_size = 0, rela_size = 0;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const ElfW(Dyn) *dyn = NULL;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		switch (dyn->d_tag) {
		case DT_JMPREL: jmprel = (const void *)dyn_ptr(info, dyn->d_un.d_ptr); break;
		case DT_PLTRELSZ: jmprel_size = dyn->d_un.d_val; break;
		case DT_RELA: rela = (const void *)dyn_ptr(info, dyn->d_un.d_ptr); break;
		case DT_RELASZ: rela_size = dyn->d_un.d_val; break;
		case DT_SYMTAB: symtab = (const void *)dyn_ptr(info, dyn->d_un.d_ptr); break;
		case DT_STRTAB: strtab = (const void *)dyn_ptr(info, dyn->d_un.d_ptr); break;
		}
	}
	if (symtab && strtab) {
		s->slot = find_in_relocs(info, jmprel, jmprel_size, symtab, strtab, s->symbol);
		if (!s->slot)	/* -fno-plt builds call through GLOB_DAT slots */
			s->slot = find_in_relocs(info, rela, rela_size, symtab, strtab,
						 s->symbol);
	}
	return 1;	/* the main executable comes first: stop there */
}

static int slot_write(void **slot, void *value)
{
	long page = sysconf(_SC_PAGESIZE);
	void *start = (void *)((uintptr_t)slot & ~(uintptr_t)(page - 1));
	size_t len = (uintptr_t)(slot + 1) - (uintptr_t)start > (size_t)page ? 2 * page : page;

	if (mprotect(start, len, PROT_READ | PROT_WRITE))
		return -errno;
	__atomic_store_n(slot, value, __ATOMIC_SEQ_CST);
	return mprotect(start, len, PROT_READ) ? -errno : 0;
}

int got_redirect(const char *symbol, void *hook, void **orig)
{
	struct got_search s = { .symbol = symbol };

	dl_iterate_phdr(search_main, &s);
	if (!s.slot)
		return -ENOENT;
	*orig = *s.slot;
	return slot_write(s.slot, hook);
}

int got_restore(const char *symbol, void *orig)
{
	struct got_search s = { .symbol = symbol };

	dl_iterate_phdr(search_main, &s);
	return s.slot ? slot_write(s.slot, orig) : -ENOENT;
}
