// SPDX-License-Identifier: GPL-2.0
/* Redirecting a function the OpenVPN executable imports: the executable calls
 * it through a GOT slot, found from its relocation in the dynamic section.
 * Every build a user may run must work:
 * - PIE or not (a non-PIE's load bias, dlpi_addr, is 0);
 * - calls through the PLT (a JUMP_SLOT relocation) or, built with -fno-plt,
 *   through a GOT slot bound at start (GLOB_DAT);
 * - full RELRO (the slot's page is read-only) or partial RELRO (a PLT slot's
 *   page is writable and holds the program's data too): the page's protection
 *   is read from /proc/self/maps and put back as it was, and a writable page
 *   is written without mprotect;
 * - lazy binding: until its first call the slot holds the PLT's resolver stub,
 *   which would bind the symbol and overwrite the hook; the hook calls the
 *   function the dynamic linker binds the symbol to instead.
 * Whatever cannot be established (no /proc, the symbol not imported)
 * leaves the executable untouched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "got.h"

#if defined(__x86_64__)
#define RELOC_JUMP_SLOT	R_X86_64_JUMP_SLOT
#define RELOC_GLOB_DAT	R_X86_64_GLOB_DAT
#elif defined(__aarch64__)
#define RELOC_JUMP_SLOT	R_AARCH64_JUMP_SLOT
#define RELOC_GLOB_DAT	R_AARCH64_GLOB_DAT
#else
#error "the plugin knows the GOT relocations of x86_64 and aarch64 only"
#endif

struct got_search {
	const char *symbol;
	void **slot;
	bool lazy;	/* the slot points into the executable: the PLT's stub */
};

/* The slot written by got_redirect and the protection of its page then. */
static struct {
	void **slot;
	int prot;
} redirected;

/* Dynamic-section pointers are relocated in place by the loader; be robust
 * to an unrelocated one too. */
static uintptr_t dyn_ptr(const struct dl_phdr_info *info, ElfW(Addr) p)
{
	return p < info->dlpi_addr ? info->dlpi_addr + p : p;
}

static void **find_in_relocs(const struct dl_phdr_info *info, const ElfW(Rela) *rel,
			     size_t size, const ElfW(Sym) *symtab, const char *strtab,
			     const char *symbol, unsigned int type)
{
	for (size_t i = 0; rel && i < size / sizeof(*rel); i++) {
		const ElfW(Sym) *sym = &symtab[ELF64_R_SYM(rel[i].r_info)];

		if (ELF64_R_TYPE(rel[i].r_info) == type && ELF64_R_SYM(rel[i].r_info) &&
		    !strcmp(strtab + sym->st_name, symbol))
			return (void **)(info->dlpi_addr + rel[i].r_offset);
	}
	return NULL;
}

static bool in_object(const struct dl_phdr_info *info, uintptr_t addr)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && addr >= start && addr - start < ph->p_memsz)
			return true;
	}
	return false;
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
		s->slot = find_in_relocs(info, jmprel, jmprel_size, symtab, strtab, s->symbol,
					 RELOC_JUMP_SLOT);
		if (!s->slot)	/* -fno-plt builds call through GLOB_DAT slots */
			s->slot = find_in_relocs(info, rela, rela_size, symtab, strtab,
						 s->symbol, RELOC_GLOB_DAT);
	}
	if (s->slot)
		s->lazy = in_object(info, (uintptr_t)*s->slot);
	return 1;	/* the main executable comes first: stop there */
}

/* The protection of the mapping that holds @addr, from /proc/self/maps. */
static int page_prot(const void *addr, int *prot)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long start, end;
	char perms[5];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fscanf(f, "%lx-%lx %4s%*[^\n]", &start, &end, perms) == 3) {
		if ((uintptr_t)addr < start || (uintptr_t)addr >= end)
			continue;
		*prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
			(perms[2] == 'x' ? PROT_EXEC : 0);
		err = 0;
	}
	fclose(f);
	return err;
}

/* Writes @value into @slot, whose page has protection @prot: made writable
 * for the write if it is not, then given @prot again. */
static int slot_write(void **slot, int prot, void *value)
{
	long page = sysconf(_SC_PAGESIZE);
	void *start = (void *)((uintptr_t)slot & ~(uintptr_t)(page - 1));
	void *old = *slot;
	int err;

	if (prot & PROT_WRITE) {
		__atomic_store_n(slot, value, __ATOMIC_SEQ_CST);
		return 0;
	}
	if (mprotect(start, page, prot | PROT_WRITE))
		return -errno;
	__atomic_store_n(slot, value, __ATOMIC_SEQ_CST);
	if (!mprotect(start, page, prot))
		return 0;
	err = -errno;
	__atomic_store_n(slot, old, __ATOMIC_SEQ_CST);	/* the page stays writable */
	return err;
}

int got_redirect(const char *symbol, void *hook, void **orig, const char **why)
{
	struct got_search s = { .symbol = symbol };
	void *target;
	int prot, err;

	dl_iterate_phdr(search_main, &s);
	*why = "not imported by the executable";
	if (!s.slot)
		return -ENOENT;
	*why = "unaligned GOT slot";
	if ((uintptr_t)s.slot % sizeof(void *))
		return -EINVAL;
	*why = "already redirected";
	if (*s.slot == hook)
		return -EBUSY;
	*why = "the dynamic linker does not find it";
	target = s.lazy ? dlsym(RTLD_DEFAULT, symbol) : *s.slot;
	if (!target)
		return -ENOENT;
	*why = "cannot read the GOT page's protection from /proc/self/maps";
	err = page_prot(s.slot, &prot);
	if (err)
		return err;
	*why = "cannot write the GOT slot";
	err = slot_write(s.slot, prot, hook);
	if (err)
		return err;
	redirected.slot = s.slot;
	redirected.prot = prot;
	*orig = target;
	return 0;
}

int got_restore(void *orig)
{
	int prot, err;

	if (!redirected.slot)
		return -ENOENT;
	if (page_prot(redirected.slot, &prot))	/* no /proc now (chroot): as it was */
		prot = redirected.prot;
	err = slot_write(redirected.slot, prot, orig);
	if (!err)
		redirected.slot = NULL;
	return err;
}
