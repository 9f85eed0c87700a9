/* unpackhost.c - kvmlab-unpack: the process a submission's archive is unpacked in, inside
 * the sandbox of student code (unpacker.c starts it).
 *
 * usage (by the grader only): kvmlab-unpack FD DEST MAX_BYTES MAX_MEMBERS MAX_RATIO
 *                             RATIO_FLOOR MAX_PATH
 * Unpacks the archive the grader passed as the open file FD (the sandbox's uid need not be
 * able to open it) into DEST with lab_archive_unpack_fd() and writes
 * "RET BYTES MEMBERS\nREASON" on standard output.
 */
#include <stdio.h>
#include <stdlib.h>

#include "subarchive.h"

int main(int argc, char **argv)
{
	struct lab_archive_limits lim;
	struct lab_archive_stats st;
	char err[512];
	int ret;

	if (argc != 8) {
		fputs("kvmlab-unpack: run by kvmlab only\n", stderr);
		return 2;
	}
	lab_archive_limits_default(&lim);
	lim.max_bytes = strtoull(argv[3], NULL, 10);
	lim.max_members = (unsigned)strtoul(argv[4], NULL, 10);
	lim.max_ratio = (unsigned)strtoul(argv[5], NULL, 10);
	lim.ratio_floor = strtoull(argv[6], NULL, 10);
	lim.max_path = (unsigned)strtoul(argv[7], NULL, 10);
	ret = lab_archive_unpack_fd(atoi(argv[1]), argv[2], &lim, &st, err, sizeof(err));
	printf("%d %llu %u\n%s", ret, (unsigned long long)st.bytes, st.members, err);
	return fflush(stdout) == 0 ? 0 : 1;
}
