/* test-obsvalue.c - observed values of a program lab's run (labs/harness/obsvalue.c), read
 * from logs shaped as kvmlab exec writes them: a kvm-hello-world run, a stepped run with its
 * walk, and logs a hostile program could make kvmlab write (another VM first, set-up after
 * its first KVM_RUN, missing or odd fields, lines that are not JSON, no exit at all). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obsvalue.h"
#include "testkit.h"

static char path[64];

/* A log of the given lines (one JSON object each). */
static void log_of(const char *const *lines)
{
	FILE *f = fopen(path, "w");

	for (size_t i = 0; f && lines[i]; i++)
		fprintf(f, "%s\n", lines[i]);
	if (f)
		fclose(f);
}

static int idx(const char *name)
{
	for (int i = 0; lab_obs_names[i].name; i++)
		if (strcmp(lab_obs_names[i].name, name) == 0)
			return i;
	return -1;
}

/* The value as text, or "(ENOENT)"-like when there is none (the sentence in err). */
static const char *value(const char *name, const char *arg)
{
	static char out[512];
	char err[256] = "";
	int ret = lab_obs_value(path, idx(name), arg, out, sizeof(out), err, sizeof(err));

	if (ret < 0) {
		CHECK_MSG(err[0] != '\0', "%s: no sentence for %d", name, ret);
		snprintf(out, sizeof(out), "(%s)", ret == -ENOENT ? "ENOENT" : "error");
	}
	return out;
}

static const char *const hello[] = {
	"{\"pid\":1,\"tid\":1,\"process\":\"start\",\"program\":\"./kvm-hello-world\"}",
	"{\"obj\":\"kvm\",\"fd\":3,\"ioctl\":\"KVM_GET_API_VERSION\",\"ret\":12}",
	"{\"obj\":\"kvm\",\"fd\":3,\"ioctl\":\"KVM_CREATE_VM\",\"type\":0,\"ret\":4,\"new\":\"vm1\"}",
	"{\"obj\":\"vm1\",\"ioctl\":\"KVM_SET_TSS_ADDR\",\"addr\":\"0xfffbd000\",\"ret\":0}",
	"{\"obj\":\"vm1\",\"ioctl\":\"KVM_SET_USER_MEMORY_REGION\",\"arg\":{\"slot\":0,"
	"\"guest_phys_addr\":\"0x0\",\"memory_size\":\"0x200000\",\"userspace_addr\":\"0x7f0000000000\"},"
	"\"ret\":0}",
	"{\"obj\":\"vm1\",\"ioctl\":\"KVM_CREATE_VCPU\",\"vcpu_id\":0,\"ret\":5,\"new\":\"vm1.vcpu0\"}",
	"{\"obj\":\"kvm\",\"ioctl\":\"KVM_GET_VCPU_MMAP_SIZE\",\"ret\":12288}",
	"{\"obj\":\"vm1.vcpu0\",\"call\":\"mmap\",\"len\":\"0x3000\"}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_GET_SREGS\",\"ret\":0,\"out\":{\"cr0\":\"0x60000010\"}}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_SET_SREGS\",\"arg\":{\"cr0\":\"0x80050033\","
	"\"cr3\":\"0x2000\",\"cr4\":\"0x20\",\"efer\":\"0x100\"},\"ret\":0}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_SET_REGS\",\"arg\":{\"rsp\":\"0x200000\",\"rip\":\"0x0\"},"
	"\"ret\":0}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_RUN\",\"ret\":0,\"exit\":\"KVM_EXIT_IO\",\"dir\":\"out\","
	"\"port\":\"0xe9\",\"size\":1,\"count\":1,\"data_offset\":\"0x1000\",\"data\":\"48\"}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_SET_REGS\",\"arg\":{\"rsp\":\"0x1\",\"rip\":\"0x99\"},"
	"\"ret\":0}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_RUN\",\"ret\":0,\"exit\":\"KVM_EXIT_IO\",\"dir\":\"out\","
	"\"port\":\"0xe9\",\"size\":1,\"count\":1,\"data_offset\":\"0x1000\",\"data\":\"65\"}",
	"not json at all {",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_RUN\",\"ret\":0,\"exit\":\"KVM_EXIT_HLT\"}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_GET_REGS\",\"ret\":0,\"out\":{\"rax\":\"0x2a\"}}",
	"{\"pid\":1,\"process\":\"exit\",\"status\":0}",
	NULL,
};

/* A stepped run (walk_steps): one step with its walk. */
static const char *const walked[] = {
	"{\"step\":1,\"rip\":\"0x0\",\"walk\":{\"linear\":\"0x0\",\"levels\":["
	"{\"name\":\"PML4\",\"table\":\"0x2000\",\"entry\":\"0x3027\"},"
	"{\"name\":\"PDPT\",\"table\":\"0x3000\",\"entry\":\"0x4027\"},"
	"{\"name\":\"PD\",\"table\":\"0x4000\",\"entry\":\"0xa7\"}],\"phys\":\"0x0\"}}",
	"{\"step\":2,\"walk\":{\"levels\":[{\"name\":\"PML4\",\"table\":\"0x9000\",\"entry\":\"0x1\"}],"
	"\"phys\":\"0x5\"}}",
	NULL,
};

/* What a hostile program can make kvmlab log: another VM first, odd fields. */
static const char *const odd[] = {
	"{\"obj\":\"vm2\",\"ioctl\":\"KVM_SET_USER_MEMORY_REGION\",\"arg\":{\"memory_size\":\"0x1000\","
	"\"guest_phys_addr\":\"0x0\"}}",
	"{\"obj\":\"vm1\",\"ioctl\":\"KVM_SET_USER_MEMORY_REGION\",\"arg\":{\"memory_size\":\"lots\"}}",
	"{\"obj\":\"vm1\",\"ioctl\":\"KVM_SET_USER_MEMORY_REGION\",\"arg\":{\"memory_size\":"
	"\"0x400000\",\"guest_phys_addr\":\"0x100000\"}}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_SET_REGS\",\"arg\":\"not an object\"}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_RUN\",\"ret\":0,\"exit\":\"KVM_EXIT_IO\",\"data\":\"zz\"}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_RUN\",\"exit\":\"KVM_EXIT_HLT\"}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_RUN\",\"exit\":\"KVM_EXIT_HLT\"}",
	"{\"obj\":\"vm1.vcpu0\",\"ioctl\":\"KVM_GET_REGS\",\"out\":{\"rax\":7}}",
	"[1, 2, 3]",
	"{\"step\":1}",
	NULL,
};

int main(void)
{
	char out[8], err[128];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test-obsvalue-XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);

	log_of(hello);
	CHECK_STR(value("memory_size", NULL), "2097152");
	CHECK_STR(value("guest_phys_addr", NULL), "0");
	CHECK_STR(value("vcpu_mmap_size", NULL), "12288");
	CHECK_STR(value("cr0", NULL), "2147811379");
	CHECK_STR(value("cr3", NULL), "8192");
	CHECK_STR(value("cr4", NULL), "32");
	CHECK_STR(value("efer", NULL), "256");
	CHECK_STR(value("rip", NULL), "0");               /* not the KVM_SET_REGS after the run */
	CHECK_STR(value("rsp", NULL), "2097152");
	CHECK_STR(value("first_ioctls", "3"), "KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_SET_TSS_ADDR");
	CHECK_STR(value("ioctls_to_run", NULL), "KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_SET_TSS_ADDR, "
		  "KVM_SET_USER_MEMORY_REGION, KVM_CREATE_VCPU, KVM_GET_VCPU_MMAP_SIZE, KVM_GET_SREGS, "
		  "KVM_SET_SREGS, KVM_SET_REGS, KVM_RUN");
	CHECK_STR(value("ioctl_count", "KVM_RUN"), "3");
	CHECK_STR(value("ioctl_count", "KVM_SET_REGS"), "2");
	CHECK_STR(value("io_port", NULL), "233");
	CHECK_STR(value("data_offset", NULL), "4096");
	CHECK_STR(value("io_byte", "1"), "72");
	CHECK_STR(value("io_byte", "2"), "101");
	CHECK_STR(value("io_byte", "3"), "(ENOENT)");
	CHECK_STR(value("io_exits", NULL), "2");
	CHECK_STR(value("after_hlt", NULL), "KVM_GET_REGS");
	CHECK_STR(value("rax_at_hlt", NULL), "42");
	CHECK_STR(value("walk_entry", "PML4"), "(ENOENT)");   /* a log run has no walk */
	CHECK_STR(value("first_ioctls", "64"), "(ENOENT)");   /* fewer calls than that */

	log_of(walked);
	CHECK_STR(value("walk_entry", "PML4"), "12327");      /* the first walk, 0x3027 */
	CHECK_STR(value("walk_entry", "pdpt"), "16423");
	CHECK_STR(value("walk_entry", "PD"), "167");
	CHECK_STR(value("walk_table", "PD"), "16384");
	CHECK_STR(value("walk_entry", "PT"), "(ENOENT)");     /* a 2 MiB page: no PT level */
	CHECK_STR(value("walk_phys", NULL), "0");
	CHECK_STR(value("memory_size", NULL), "(ENOENT)");

	log_of(odd);
	CHECK_STR(value("memory_size", NULL), "4194304");      /* vm2's and a bad one skipped */
	CHECK_STR(value("guest_phys_addr", NULL), "1048576");
	CHECK_STR(value("rip", NULL), "(ENOENT)");
	CHECK_STR(value("io_byte", "1"), "(ENOENT)");
	CHECK_STR(value("io_exits", NULL), "1");
	CHECK_STR(value("after_hlt", NULL), "KVM_RUN");      /* the first HLT's next call */
	CHECK_STR(value("rax_at_hlt", NULL), "7");           /* read after the second HLT */
	CHECK_STR(value("walk_entry", "PML4"), "(ENOENT)");

	/* arguments, as a lab file gives them */
	CHECK(lab_obs_arg_problem(idx("io_byte"), "0") != NULL);
	CHECK(lab_obs_arg_problem(idx("io_byte"), "65") != NULL);
	CHECK(lab_obs_arg_problem(idx("io_byte"), "1x") != NULL);
	CHECK(lab_obs_arg_problem(idx("io_byte"), "64") == NULL);
	CHECK(lab_obs_arg_problem(idx("walk_entry"), "PML9") != NULL);
	CHECK(lab_obs_arg_problem(idx("walk_entry"), NULL) != NULL);
	CHECK(lab_obs_arg_problem(idx("walk_entry"), "pml4") == NULL);
	CHECK(lab_obs_arg_problem(idx("ioctl_count"), "KVM_NOPE") != NULL);
	CHECK(lab_obs_arg_problem(idx("ioctl_count"), "KVM_RUN") == NULL);
	CHECK(lab_obs_arg_problem(idx("cr3"), "x") != NULL);
	CHECK(lab_obs_arg_problem(idx("cr3"), NULL) == NULL);

	/* no log (the program did not build), a log that cannot be read, a short buffer */
	CHECK_EQ(lab_obs_value(NULL, idx("cr3"), NULL, out, sizeof(out), err, sizeof(err)), -ENOENT);
	CHECK_CONTAINS(err, "was not observed");
	CHECK(lab_obs_value("/nonexistent/log", idx("cr3"), NULL, out, sizeof(out), err,
			    sizeof(err)) < 0);
	CHECK_CONTAINS(err, "cannot be read");
	log_of(hello);
	CHECK_EQ(lab_obs_value(path, idx("ioctls_to_run"), NULL, out, sizeof(out), err, sizeof(err)),
		 0);
	CHECK_EQ(strlen(out), sizeof(out) - 1);               /* cut, and NUL-terminated */
	unlink(path);
	return check_summary();
}
