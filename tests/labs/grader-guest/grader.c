/* grader.c - a grader's own guest for a copy of 04-hypercalls (tests/labs/test-grade.sh adds
 * grader_guest: [start.S, grader.c, solution/guest.c] and checks.yaml to it): the
 * reference wrappers of solution/guest.c calling every hypercall with the values drawn at
 * grading time, run under the student's handlers, so the handlers are graded on a guest
 * the student did not write.  Students never see this file's build. */
#include "hypercalls.h"

void fixed_block(void);

void fixed_block(void)
{
	static const char word[] = KVMLAB_WORD "\n";
	uint32_t a, b;

	HC_printStr("grader:\n");
	HC_print32bit(KVMLAB_V1);
	HC_printStr((char *)word);
	a = HC_numExits();
	for (int i = 0; i < KVMLAB_COUNT; i++)
		(void)HC_getTimestamp();
	b = HC_numExits();
	HC_printStr("numExits:\n");
	HC_print32bit(a);
	HC_print32bit(b);
	HC_printStr("gva:\n");
	HC_print32bit(HC_gvaToHva(KVMLAB_ADDR));
	HC_printStr(HC_numExitsByType());
}
