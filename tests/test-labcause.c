/* test-labcause.c - labs/harness/cause.h on hand-filled runs: each cause is seen from what the
 * run recorded, said in a sentence with its hint (the lab's own from cause_hints, else
 * kvmlab's), in the order crash, timeout, size, port, silent; "printed nothing" only when
 * nothing cut the run short; nothing for a run that did not happen or a program lab's run. */
#include <stdlib.h>

#include "cause.h"
#include "testkit.h"

static char *causes(const struct lab *lab, const struct lab_run *run)
{
	char *t = lab_causes_text(lab, run);

	return t ? t : strdup("(none)");
}

static void check_text(const struct lab *lab, const struct lab_run *run, const char *want,
		       int line)
{
	char *t = causes(lab, run);

	if (!strstr(t, want))
		check_fail(__FILE__, line, "causes", "wanted \"%s\" in \"%s\"", want, t);
	else
		check_passed++;
	free(t);
}
#define HAS(lab, run, want) check_text(lab, run, want, __LINE__)

int main(void)
{
	struct lab lab = { .id = "t" };
	struct lab_cause_hints hints = { .port = "Use the HC_ constants." };
	struct lab_run run = { .stop = VMM_STOP_HLT, .shown = "", .output = "" };
	char *t;

	t = lab_causes_text(&lab, &run);
	HAS(&lab, &run, "the guest printed nothing at all");
	free(t);
	run.output = "hello\n";
	run.output_len = 6;
	CHECK(lab_causes_text(&lab, &run) == NULL);   /* a clean run shows no cause */

	run.nodev[0] = (struct lab_port_use){ .port = 0x5001, .out = 6 };
	run.nodev[1] = (struct lab_port_use){ .port = 0x80, .in = 2, .out = 1 };
	run.nnodev = 2;
	HAS(&lab, &run, "the guest used ports no device answers: port 0x5001: 6 OUT (the writes "
	    "went nowhere); port 0x80: 1 OUT (the writes went nowhere), 2 IN (each read gave all ones)");
	HAS(&lab, &run, "Compare the port your guest uses with the lab's port map");
	lab.cause_hints = &hints;
	HAS(&lab, &run, "6 OUT (the writes went nowhere); port 0x80");
	HAS(&lab, &run, "\nUse the HC_ constants.");
	t = causes(&lab, &run);
	CHECK(!strstr(t, "Compare the port"));
	free(t);
	CHECK_STR(lab_cause_hint(&lab, LAB_CAUSE_PORT), "Use the HC_ constants.");
	CHECK(strstr(lab_cause_hint(&lab, LAB_CAUSE_SIZE), "outb") != NULL);   /* not given: kvmlab's */
	run.nnodev = 0;

	/* a handler of the student's that printed nothing; kvmlab's print32 did print */
	run.hc_calls[VMM_HC_PRINTSTR] = 8;
	run.hc_student[VMM_HC_PRINTSTR] = true;
	run.hc_calls[VMM_HC_PRINT32] = 6;
	run.hc_printed[VMM_HC_PRINT32] = 30;
	HAS(&lab, &run, "printStr was called 8 times and your handler printed nothing");
	t = causes(&lab, &run);
	CHECK(!strstr(t, "print32"));
	free(t);

	/* the wrong size stops the run: said, and the silent handler is not */
	run.misuse = (struct vmm_hc_misuse){ .id = VMM_HC_PRINT32, .port = 0x501, .size = 1 };
	run.stop = VMM_STOP_DEVICE;
	HAS(&lab, &run, "the guest used a 1-byte OUT on port 0x501 (print32), which takes outl");
	t = causes(&lab, &run);
	CHECK(!strstr(t, "printed nothing"));
	free(t);
	run.misuse = (struct vmm_hc_misuse){ .id = VMM_HC_NUMEXITS, .port = 0x503, .size = 2,
					     .in = true };
	HAS(&lab, &run, "a 2-byte IN on port 0x503 (numExits), which takes inl");
	run.misuse.size = 0;

	/* a crash comes first, then a limit */
	run.stop = VMM_STOP_SHUTDOWN;
	run.nnodev = 1;
	t = causes(&lab, &run);
	CHECK(strncmp(t, "the guest crashed: triple fault", 31) == 0);
	CHECK(strstr(t, "port 0x5001") != NULL);
	CHECK(!strstr(t, "printed nothing"));
	free(t);
	run.stop = VMM_STOP_TIMEOUT;
	HAS(&lab, &run, "the lab's limit ended the run");
	run.stop = VMM_STOP_DEVICE;
	run.handler_died = true;
	HAS(&lab, &run, "your handlers stopped the run");

	/* no run, or a program lab's (no labelled output): no cause */
	snprintf(run.error, sizeof(run.error), "the submission did not build");
	CHECK(lab_causes_text(&lab, &run) == NULL);
	run.error[0] = '\0';
	run.shown = NULL;
	CHECK(lab_causes_text(&lab, &run) == NULL);
	return check_summary();
}
