/* test-kvmdecode.c - kvmlab exec's decoder of KVM ioctl arguments and exits: known values
 * decode to the expected fields, and arbitrary bytes of any length (the observed program's
 * memory is untrusted) always give one well-formed line, in text and in JSON. */
#include <json-c/json.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exits.h"
#include "fieldw.h"
#include "kvmdecode.h"
#include "testkit.h"

static const unsigned long requests[] = {
	KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_CHECK_EXTENSION, KVM_GET_VCPU_MMAP_SIZE,
	KVM_SET_USER_MEMORY_REGION, KVM_SET_TSS_ADDR, KVM_SET_IDENTITY_MAP_ADDR, KVM_CREATE_VCPU,
	KVM_RUN, KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS, KVM_SET_SREGS, KVM_GET_SREGS2,
	KVM_SET_SREGS2, KVM_TRANSLATE, KVM_SET_GUEST_DEBUG, KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS,
	KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS, KVM_SET_CPUID2, KVM_GET_SUPPORTED_CPUID,
	KVM_GET_FPU, KVM_SET_FPU, KVM_GET_MSRS, KVM_SET_MSRS, KVM_GET_MSR_INDEX_LIST,
	KVM_ENABLE_CAP, KVM_GET_MP_STATE, KVM_SET_MP_STATE, KVM_GET_CLOCK, KVM_SET_CLOCK,
	KVM_IRQ_LINE, KVM_CREATE_IRQCHIP, KVM_GET_LAPIC, KVM_IOEVENTFD,
};

static struct outbuf out;

/* Decode one call (and an exit) into a string, in fmt. */
static char *decode(enum fieldw_format fmt, const struct kvmdec_call *c, const struct kvm_run *run,
		    const uint8_t *io, size_t io_len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct fieldw w;

	outbuf_init(&out, f);
	fieldw_init(&w, &out, fmt);
	fieldw_begin(&w, NULL);
	kvmdec_args(&w, c);
	kvmdec_result(&w, c);
	if (run)
		kvmdec_exit(&w, run, io, io_len);
	fieldw_end(&w);
	outbuf_flush(&out);
	fclose(f);
	return text;
}

static void known_values(void)
{
	struct kvm_userspace_memory_region m = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = 0x200000, .userspace_addr = 0x7f0000000000,
	};
	struct kvmdec_call c = { .req = KVM_SET_USER_MEMORY_REGION, .arg = 0x1000,
				 .in = (const uint8_t *)&m, .in_len = sizeof(m) };
	struct kvm_sregs s = { .cr0 = 0x80050033, .cr4 = 0x20, .efer = 0x500, .cr3 = 0x2000 };
	struct kvm_run run = { .exit_reason = KVM_EXIT_IO };
	uint8_t data[2] = { 'H', 0 };
	char *t;

	t = decode(FIELDW_TEXT, &c, NULL, NULL, 0);
	CHECK_STR(t, "{argp=0x1000 arg={slot=0 flags=0x0 guest_phys_addr=0x0 memory_size=0x200000 "
		     "userspace_addr=0x7f0000000000} ret=0}");
	free(t);

	c = (struct kvmdec_call){ .req = KVM_SET_SREGS, .arg = 8, .in = (const uint8_t *)&s,
				  .in_len = sizeof(s) };
	t = decode(FIELDW_TEXT, &c, NULL, NULL, 0);
	CHECK_CONTAINS(t, "cr0=0x80050033(PE MP ET NE WP AM PG)");
	CHECK_CONTAINS(t, "cr4=0x20(PAE)");
	CHECK_CONTAINS(t, "efer=0x500(LME LMA)");
	CHECK_CONTAINS(t, "cr3=0x2000");
	free(t);

	/* a short read: the missing bytes are zero and the count of bytes read is said */
	c.in_len = 10;
	t = decode(FIELDW_TEXT, &c, NULL, NULL, 0);
	CHECK_CONTAINS(t, "arg_bytes_read=10");
	free(t);

	c = (struct kvmdec_call){ .req = KVM_CHECK_EXTENSION, .arg = KVM_CAP_SYNC_REGS, .ret = 7 };
	t = decode(FIELDW_TEXT, &c, NULL, NULL, 0);
	CHECK_STR(t, "{cap=74 cap_name=KVM_CAP_SYNC_REGS ret=7}");
	free(t);

	run.io.direction = KVM_EXIT_IO_OUT;
	run.io.port = 0xe9;
	run.io.size = 1;
	run.io.count = 1;
	run.io.data_offset = 0x1000;
	c = (struct kvmdec_call){ .req = KVM_RUN };
	t = decode(FIELDW_TEXT, &c, &run, data, 1);
	CHECK_STR(t, "{ret=0 exit=KVM_EXIT_IO dir=out port=0xe9 size=1 count=1 data_offset=0x1000 "
		     "data=[48]\"H\"}");
	free(t);

	c.ret = -4;
	run.exit_reason = KVM_EXIT_INTR;
	t = decode(FIELDW_JSON, &c, &run, NULL, 0);
	CHECK_STR(t, "{\"ret\":-1,\"errno\":\"EINTR\",\"exit\":\"KVM_EXIT_INTR\"}");
	free(t);
}

/* Every request and exit with random bytes of random lengths: one JSON object each time. */
static void random_input(void)
{
	static uint8_t buf[KVMDEC_ARG_MAX + 64];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int bad = 0;

	for (int round = 0; round < 3000; round++) {
		unsigned long req = requests[round % (sizeof(requests) / sizeof(requests[0]))];
		struct kvm_run run;
		size_t len;
		struct kvmdec_call c;
		json_object *j;
		char *t;

		for (size_t i = 0; i < sizeof(buf); i += 8) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			memcpy(buf + i, &seed, sizeof(seed) <= sizeof(buf) - i ? sizeof(seed) : sizeof(buf) - i);
		}
		len = (size_t)(seed % (kvmdec_arg_size(req, buf, sizeof(buf)) + 64));
		if (len > KVMDEC_ARG_MAX)
			len = KVMDEC_ARG_MAX;
		memcpy(&run, buf + 64, sizeof(run));
		c = (struct kvmdec_call){ .req = req, .arg = seed, .in = buf, .in_len = len,
					  .out = buf, .out_len = len, .ret = (long)(seed % 3) - 1 };
		t = decode(FIELDW_JSON, &c, &run, buf + 8, (size_t)(seed % 32));
		j = json_tokener_parse(t);
		if (!j || !json_object_is_type(j, json_type_object)) {
			if (bad++ < 3)
				fprintf(stderr, "not a JSON object for request 0x%lx: %.200s\n", req, t);
		}
		json_object_put(j);
		free(t);
		t = decode(FIELDW_TEXT, &c, &run, buf + 8, (size_t)(seed % 32));
		CHECK(strchr(t, '\n') == NULL);  /* one line, whatever the bytes */
		free(t);
	}
	CHECK_EQ(bad, 0);
}

int main(void)
{
	known_values();
	random_input();
	return check_summary();
}
