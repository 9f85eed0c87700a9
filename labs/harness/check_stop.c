/* check_stop.c - how the run ended (stop) and the CPU mode it ended in (final_mode). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cpumode.h"
#include "labbuf.h"

static int evaluate_stop(const struct lab_check *c, const struct lab_run *run,
			 struct lab_check_result *r)
{
	return lab_result_set(r, run->stop == *c->stop, strdup(lab_stop_name(*c->stop)),
			      strdup(lab_stop_name(run->stop)),
			      lab_strdupf("the run ended with %s, not %s", lab_stop_name(run->stop),
					  lab_stop_name(*c->stop)));
}

static int evaluate_final_mode(const struct lab_check *c, const struct lab_run *run,
			       struct lab_check_result *r)
{
	int mode = (int)vmm_cpu_mode(&run->sregs);

	return lab_result_set(r, mode == *c->final_mode, strdup(lab_cpu_mode_name(*c->final_mode)),
			      strdup(lab_cpu_mode_name(mode)),
			      lab_strdupf("the CPU ended in %s mode (CR0 0x%llx, CR4 0x%llx, "
					  "EFER 0x%llx)", lab_cpu_mode_name(mode),
					  (unsigned long long)run->sregs.cr0,
					  (unsigned long long)run->sregs.cr4,
					  (unsigned long long)run->sregs.efer));
}

const struct lab_check_ops lab_check_stop_ops = {
	.evaluate = evaluate_stop,
};

const struct lab_check_ops lab_check_final_mode_ops = {
	.evaluate = evaluate_final_mode,
};
