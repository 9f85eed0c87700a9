/* test-fuzz.c - deterministic random inputs against everything that reads untrusted data:
 * the page walker (guest page tables), the ELF loader (guest images), trace reading for diff
 * (trace files, through json-c), the lab-file loader and the hypercall port map (--hypercalls).
 * Nothing may crash or read out of bounds (run it
 * under ASan, as CI does); every answer must stay inside what it was given.
 *
 * usage: test-fuzz GUEST_ELF LAB_YAML   (a real guest and a real lab file to mutate)
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "error.h"
#include "labfile.h"
#include "loader.h"
#include "pagewalk.h"
#include "portmap.h"
#include "testkit.h"
#include "tracediff.h"
#include "vm.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Flip a few bytes (half of them in the first 256, where headers live), sometimes cut the end. */
static size_t mutate(uint8_t *buf, size_t len, const uint8_t *orig)
{
	memcpy(buf, orig, len);
	for (int k = 1 + (int)(rnd() % 8); k > 0; k--)
		buf[rnd() % (rnd() % 2 && len > 256 ? 256 : len)] = (uint8_t)rnd();
	return rnd() % 4 == 0 ? rnd() % len : len;
}

static void fuzz_walker(void)
{
	enum { MEM = 64 << 10 };
	uint8_t *mem = malloc(MEM);
	struct vmm_mem_view view = { .base = mem, .size = MEM };
	int bad = 0;

	for (int i = 0; i < 20000; i++) {
		struct vmm_walk w;
		struct vmm_walk_opts opts = { .nxe = rnd() & 1, .pse = rnd() & 1 };
		enum vmm_paging p = (enum vmm_paging)(rnd() % 5);
		uint64_t pdptr[4], *pd = rnd() % 3 ? NULL : pdptr;
		/* Tables mostly inside memory with plausible entries, sometimes anything at all. */
		for (int k = 0; k < MEM / 8; k++)
			((uint64_t *)mem)[k] = rnd() % 4 ? (rnd() % MEM & ~0xfffull) | (rnd() & 0x8000000000000fffull) : rnd();
		for (int k = 0; k < 4; k++)
			pdptr[k] = rnd();
		uint64_t cr3 = rnd() % 8 ? rnd() % MEM : rnd();
		uint64_t lin = rnd() % 2 ? rnd() : rnd() % MEM;
		int ret = vmm_walk_ex(&view, p, cr3, pd, lin, &opts, &w);

		if (ret == -EINVAL)
			continue;
		if (ret != 0 || w.nlevels < 0 || w.nlevels > 5 || w.fail_level >= w.nlevels ||
		    (w.status == VMM_WALK_OK && w.fail_level != -1))
			bad++;
		for (int l = 0; l < w.nlevels; l++)
			if (w.lvl[l].entry_size != 4 && w.lvl[l].entry_size != 8)
				bad++;
	}
	CHECK_MSG(bad == 0, "%d walks gave inconsistent answers", bad);
	free(mem);
}

static void fuzz_loader(const char *elf)
{
	enum { MEM = 256 << 10 };
	size_t len = 0;
	uint8_t *orig = slurp(elf, &len), *buf;
	char path[] = "/tmp/kvmlab-fuzz-XXXXXX";
	struct vmm_vm vm = { .mem_size = MEM };
	int fd = mkstemp(path), loaded = 0, refused = 0, bad = 0;

	CHECK(orig && fd >= 0);
	if (!orig || fd < 0)
		return;
	close(fd);
	buf = malloc(len);
	vm.mem = malloc(MEM);
	for (int i = 0; i < 2000; i++) {
		struct vmm_image img;
		size_t n = mutate(buf, len, orig);
		FILE *f = fopen(path, "wb");

		fwrite(buf, 1, n, f);
		fclose(f);
		vmm_clear_error();
		if (vmm_load_elf(&vm, path, &img) == 0) {
			loaded++;
			if (img.lo >= img.hi || img.hi > MEM || img.entry < img.lo || img.entry >= img.hi)
				bad++;
		} else {
			refused++;
			if (!*vmm_last_error())
				bad++;  /* every refusal says why */
		}
	}
	CHECK_MSG(bad == 0, "%d of 2000 mutated ELF files were loaded out of bounds or refused silently", bad);
	CHECK_MSG(loaded > 0 && refused > 0, "loaded %d, refused %d: the mutations should give both", loaded, refused);
	unlink(path);
	free(vm.mem);
	free(buf);
	free(orig);
}

/* Mutated trace lines against a good trace: an answer (identical, differ, or refused with the
 * file's name and line), never a crash, and the report always terminated in its buffer. */
static void fuzz_tracediff(void)
{
	static const char line[] = "{\"step\":12,\"pc\":\"0x1000\",\"asm\":\"mov eax, cr0\",\"changed\":"
				   "{\"rax\":[\"0x0\",\"0x11\"]},\"writes\":[{\"addr\":\"0x400\",\"new\":\"2a\"}],"
				   "\"ok\":true,\"n\":null,\"x\":-1.5e3}\n";
	char ref[] = "/tmp/kvmlab-fuzz-XXXXXX", mut[] = "/tmp/kvmlab-fuzz-XXXXXX";
	int fr = mkstemp(ref), fm = mkstemp(mut), bad = 0;
	uint8_t buf[sizeof(line)];

	CHECK(fr >= 0 && fm >= 0);
	if (fr < 0 || fm < 0)
		return;
	CHECK(write(fr, line, sizeof(line) - 1) == (ssize_t)sizeof(line) - 1);
	close(fr);
	for (int i = 0; i < 3000; i++) {
		size_t n = mutate(buf, sizeof(line) - 1, (const uint8_t *)line);
		char msg[512];
		int r;

		if (pwrite(fm, buf, n, 0) != (ssize_t)n || ftruncate(fm, (off_t)n) < 0) {
			bad++;
			break;
		}
		memset(msg, 'x', sizeof(msg));
		r = trace_diff(ref, mut, msg, sizeof(msg));
		if (r < -EINVAL || r > 1 || memchr(msg, '\0', sizeof(msg)) == NULL ||
		    (r == -EINVAL && !strstr(msg, mut)))
			bad++;
	}
	close(fm);
	unlink(ref);
	unlink(mut);
	CHECK_MSG(bad == 0, "%d mutated trace lines gave no answer, or one without the file's name", bad);
}

static void fuzz_labfile(const char *yaml)
{
	size_t len = 0;
	uint8_t *orig = slurp(yaml, &len), *buf;
	char path[] = "/tmp/kvmlab-fuzz-XXXXXX.yaml", err[512];
	int fd = mkstemps(path, 5), bad = 0;

	CHECK(orig && fd >= 0);
	if (!orig || fd < 0)
		return;
	close(fd);
	buf = malloc(len);
	for (int i = 0; i < 500; i++) {
		struct lab *lab = NULL;
		size_t n = mutate(buf, len, orig);
		FILE *f = fopen(path, "wb");

		fwrite(buf, 1, n, f);
		fclose(f);
		err[0] = '\0';
		if (lab_load(path, NULL, &lab, err, sizeof(err)) == 0)
			lab_free(lab);
		else if (strncmp(err, path, strlen(path)) != 0)
			bad++;  /* every error names the file (and where in it) */
	}
	CHECK_MSG(bad == 0, "%d mutated lab files were refused without naming the file", bad);
	unlink(path);
	free(buf);
	free(orig);
}

/* Port maps built from pieces of real ones: every answer is 0 or -EINVAL, and no call ever
 * lands on port 0 or the console's. */
static void fuzz_portmap(void)
{
	static const char *const pieces[] = {
		"print8", "fileOpen", "GETTIMESTAMP", "=", "==", ",", "0x", "0x600", "1540", "e9", "0xe9",
		"-", "65535", "65536", "0", "x", " ", "fileClose=0x514", "\xff",
	};
	int bad = 0, wrong_port = 0;

	for (int i = 0; i < 20000; i++) {
		struct vmm_portmap m = { 0 };
		char text[128] = "";
		int ret;

		for (int k = (int)(rnd() % 8); k > 0; k--)
			strncat(text, pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))],
				sizeof(text) - strlen(text) - 1);
		ret = vmm_portmap_parse(&m, text);
		bad += ret != 0 && ret != -EINVAL;
		for (int c = 0; c < VMM_PORTMAP__COUNT; c++) {
			uint16_t p = vmm_portmap_port(&m, c);

			wrong_port += p == 0 || p == 0xe9;
		}
	}
	CHECK_MSG(bad == 0, "%d port maps gave neither 0 nor -EINVAL", bad);
	CHECK_MSG(wrong_port == 0, "%d calls landed on port 0 or 0xe9", wrong_port);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test-fuzz GUEST_ELF LAB_YAML\n");
		return 2;
	}
	fuzz_walker();
	fuzz_loader(argv[1]);
	fuzz_tracediff();
	fuzz_labfile(argv[2]);
	fuzz_portmap();
	return check_summary();
}
