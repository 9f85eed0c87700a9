/* cmd_tui.c - `kvmlab tui`: step a guest in a full-screen debugger (tracer/tui/). */
#include <stdio.h>
#include <stdlib.h>

#include "command.h"
#include "conlabel.h"
#include "engine.h"
#include "error.h"
#include "guestcmd.h"
#include "options.h"
#include "session.h"
#include "tui/tui.h"

int tui_session(struct session *s, struct tui *t, const char *name, const char *dev,
		uint64_t max_exits, unsigned timeout_ms)
{
	static struct engine e;
	int ret, status;

	if ((status = cli_mode_refused(s, dev)) != 0)   /* before the screen starts */
		return status;
	status = EXIT_HALTED;
	ret = session_engine_init(s, &e, true);
	if (ret < 0) {
		status = cli_error(EXIT_HOST, "%s", vmm_last_error());
		goto out;
	}
	e.max_exits = max_exits;
	e.timeout_ms = timeout_ms;
	ret = tui_init(t, &e, name, s->mode);
	if (ret < 0) {
		status = cli_error(EXIT_HOST, "%s", *vmm_last_error() ? vmm_last_error() : "out of memory");
		goto out;
	}
	ret = tui_run(t);
	if (ret < 0)
		status = cli_error(EXIT_USAGE, "%s", vmm_last_error());
	else if (!t->bench) {
		char buf[320];

		tui_stop_text(t, buf, sizeof(buf));
		fprintf(stderr, "kvmlab tui: left at step %llu of %llu%s%s\n", (unsigned long long)t->pos,
			(unsigned long long)history_count(&e.hist), buf[0] ? "; the guest " : "", buf);
	}
out:
	tui_free(t);
	engine_free(&e);
	return status;
}

static int tui_main(int argc, char **argv)
{
	static struct tui t;          /* large, and the console sink needs it before tui_init */
	struct conlabel label;
	struct vm_opts o;
	struct session s;
	int status;

	if (cli_wants_help(&cmd_tui, argc, argv))
		return 0;
	if (vm_opts_parse(argc, argv, &o, NULL, NULL, NULL) < 0)
		return EXIT_USAGE;
	t.bench = getenv("KVMLAB_TUI_BENCH");
	conlabel_init(&label, tui_console_sink, &t);
	if (session_open(&s, &o, conlabel_sink, &label) < 0)
		return cli_session_failed(&s);
	label.hc = &s.hc;
	status = tui_session(&s, &t, o.guest, o.dev, o.max_exits, o.timeout_ms);
	session_close(&s);
	return status;
}

/* The keys, from the action list in tracer/tui/keys.h (what the ? overlay shows). */
static void tui_keys_help(FILE *f)
{
	static char lines[120][TUI_HELP_COLS];
	int n = tui_help_lines(78, lines, 120);

	fputs("\nKeys (the same list as ? inside):\n", f);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%s\n", lines[i][0] ? "  " : "", lines[i]);
}

const struct command cmd_tui = {
	.name = "tui",
	.summary = "step a guest in a full-screen debugger, forwards and back",
	.help =
	"usage: kvmlab tui [OPTIONS] GUEST\n\n"
	"Opens GUEST in a full-screen step debugger. Panes show the code around the next\n"
	"instruction, the registers (changes highlighted), the system state (CR0/CR3/CR4/\n"
	"EFER by bit name, segments, GDTR/IDTR, the CPU mode), the page walk of RIP, the\n"
	"step's explanation, source line and exits, the console output, and memory.\n"
	"Every step is recorded, so you can go back and forth through the run without\n"
	"re-running the guest (the addresses a prompt takes are below the keys).\n\n"
	"  kvmlab tui boot                 # watch real -> protected -> long mode\n"
	"  kvmlab tui hello --mode real\n",
	.help_more = tui_keys_help,
	.epilogue =
	"--max-exits ends the guest after that many exits; --timeout MS ends it when one\n"
	"step, next or continue runs longer than MS milliseconds (any key also interrupts\n"
	"a long continue, without ending the guest).\n\n"
	"Colours follow the terminal; set NO_COLOR=1 for none.  The guest's console\n"
	"output appears in the console pane.  The exit status is 0 when you quit,\n"
	"whatever the guest did (the last line on standard error says where it was).\n",
	.main = tui_main,
	.guest_opts = true,
};
