/* control.c - what the keys do to the guest and the timeline.
 *
 * The timeline is the engine's history: step back only moves the shown position (the guest is
 * never re-run); stepping forward first moves through recorded steps, and only past the last
 * one executes new instructions.  Breakpoints and watches stop replays of the history as they
 * stop live runs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "ending.h"
#include "error.h"
#include "run.h"
#include "symbols.h"
#include "tui.h"


static uint64_t recorded(const struct tui *t)
{
	return history_count(&t->e->hist);
}

void tui_goto_step(struct tui *t, uint64_t pos)
{
	uint64_t count = recorded(t);

	t->pos = pos > count ? count : pos;
	if (tui_snap_load(t) < 0)
		tui_message(t, true, "%s", vmm_last_error());
	for (int i = 0; i < TUI_NPANES; i++)
		if (t->pane[i].view->follow)
			t->pane[i].view->follow(t, t->pane[i].priv);
}

const char *tui_stop_text(struct tui *t, char *buf, size_t len)
{
	uint8_t at400;
	struct ending end = {
		.stop = t->e->stop, .regs = &t->e->cpu->regs, .sregs = &t->e->cpu->sregs,
		.run = t->e->cpu->run, .exits = t->e->cpu->stats->total, .stepped = true,
		.steps = recorded(t), .start_mode = t->start_mode, .device_error = vmm_last_error(),
	};

	buf[0] = '\0';
	if (!t->e->ended)
		return buf;
	end.at400 = tvcpu_read(t->e->cpu, 0x400, &at400, 1) == 0 ? at400 : -1;
	ending_text(&end, buf, len);
	return buf;
}

/* Log what the step just executed did that the panes keep: its exit and its writes. */
static void record_step(struct tui *t)
{
	const struct step *st = &t->e->last;
	char line[160];
	int n;

	if (st->has_exit) {
		const struct step_exit *x = &st->exit;
		uint32_t v = 0;

		memcpy(&v, x->data, x->size <= 4 ? x->size : 4);
		n = snprintf(line, sizeof(line), "#%llu %s", (unsigned long long)st->n,
			     vmm_exit_name((enum vmm_exit)x->kind));
		if (x->kind == VMM_EXIT_IO_IN || x->kind == VMM_EXIT_IO_OUT) {
			n += snprintf(line + n, sizeof(line) - (size_t)n, " port %x size %u: %x", x->port,
				      x->size, v);
			if (x->kind == VMM_EXIT_IO_OUT && x->size == 1 && v >= 32 && v < 127)
				n += snprintf(line + n, sizeof(line) - (size_t)n, " '%c'", (char)v);
			else if (x->kind == VMM_EXIT_IO_OUT && x->size == 1 && (v == '\n' || v == '\r'))
				n += snprintf(line + n, sizeof(line) - (size_t)n, " '\\%c'", v == '\n' ? 'n' : 'r');
			int hc = t->e->hc ? vmm_hc_which(t->e->hc, x->port, x->kind == VMM_EXIT_IO_IN,
							 x->size) : -1;

			if (hc >= 0)
				n += snprintf(line + n, sizeof(line) - (size_t)n, " (%s)", vmm_hc_name(hc));
			if (x->count > 1)
				snprintf(line + n, sizeof(line) - (size_t)n, " x%u", x->count);
		} else if (x->kind == VMM_EXIT_MMIO_READ || x->kind == VMM_EXIT_MMIO_WRITE) {
			snprintf(line + n, sizeof(line) - (size_t)n, " %llx size %u: %x",
				 (unsigned long long)x->addr, x->size, v);
		}
		tui_events_add(&t->log, st->n, TUI_EV_EXIT, line, strlen(line));
	}
	if (st->insn_len)  /* without memory for it the code pane decodes from memory instead */
		tui_xmap_add(&t->xmap, engine_pc(&st->before, &st->sbefore), st->n,
			     vmm_cpu_code_bits(&st->sbefore), st->insn, st->insn_len);
	if (st->nwrites) {
		struct tui_write *w = vmm_array_grow(t->writes, &t->writes_cap, sizeof(*w), t->nwrites + 1, 256);

		if (!w)
			return;
		t->writes = w;
		t->writes[t->nwrites++] = (struct tui_write){ st->n, st->w[0].gva, st->w[0].gpa };
	}
}

/* The guest stopped during this action: say so once, and in the log. */
static void stopped(struct tui *t)
{
	char buf[300];

	tui_stop_text(t, buf, sizeof(buf));
	snprintf(t->stop_msg, sizeof(t->stop_msg), "%s", buf);
	tui_events_add(&t->log, recorded(t), TUI_EV_NOTE, buf, strlen(buf));
	tui_message(t, t->e->stop != VMM_STOP_HLT, "%s", buf);
}

/* Say which breakpoint or watch ended a run at step st. */
static void say_hit(struct tui *t, const struct engine_goal *g, const struct step *st)
{
	char buf[200];

	if (ending_hit_text(t->e, g->hit_break, g->hit_watch, st->n, buf, sizeof(buf)))
		tui_message(t, false, "%s", buf);
}

struct live_run {
	struct tui *t;
	uint64_t done;
};

/* After each executed step: record it for the views; poll for a key every 1024 steps. */
static int on_step(struct engine *e, const struct step *st, void *ctx)
{
	struct live_run *lr = ctx;
	struct tui *t = lr->t;

	(void)e;
	(void)st;
	record_step(t);
	t->pos = recorded(t);
	t->executing = t->pos + 1;
	return (++lr->done & 1023) == 0 && tui_poll_interrupt(t);
}

/* Move forward towards a goal: through the history from the shown step, then executing.
 * n: steps for ENGINE_GOAL_STEPS and ENGINE_GOAL_COUNT. */
static void run(struct tui *t, enum engine_goal_kind kind, uint64_t n)
{
	struct engine_goal g;
	struct live_run lr = { t, 0 };
	struct step st;
	uint8_t insn[15];
	size_t len = 0;
	bool was_ended = t->e->ended;
	int ret = 0;

	t->interrupted = false;
	if (kind == ENGINE_GOAL_OVER)
		len = tui_snap_read_linear(t, t->snap.pc, insn, sizeof(insn));
	engine_goal_init(t->e, &g, kind, n, &t->snap.regs, t->snap.bits, insn, len);
	while (t->pos < recorded(t)) {
		ret = history_get(&t->e->hist, t->pos + 1, &st);
		if (ret < 0) {
			vmm_fail(ret, "step %llu is not in the history", (unsigned long long)t->pos + 1);
			goto out;
		}
		t->pos++;
		if (engine_goal_reached(t->e, &g, &st)) {
			say_hit(t, &g, &st);
			goto out;
		}
		if ((g.done & 4095) == 0 && tui_poll_interrupt(t))
			goto out;
	}
	if (t->e->ended) {
		if (strncmp(t->msg, "running: ", 9) == 0)
			t->msg[0] = '\0';
		if (!t->msg[0])
			tui_message(t, t->e->stop != VMM_STOP_HLT, "the guest has stopped: %s",
				    t->stop_msg[0] ? t->stop_msg : vmm_stop_name(t->e->stop));
		goto out;
	}
	t->executing = recorded(t) + 1;
	ret = engine_go(t->e, &g, on_step, &lr);
	if (ret >= 0)
		say_hit(t, &g, &t->e->last);
out:
	if (strncmp(t->msg, "running: ", 9) == 0)
		t->msg[0] = '\0';
	if (t->interrupted)
		tui_message(t, false, "interrupted at step %llu", (unsigned long long)t->pos);
	tui_goto_step(t, recorded(t) < t->pos ? recorded(t) : t->pos);
	if (ret < 0)
		tui_message(t, true, "cannot step the guest: %s", vmm_last_error());
	else if (t->e->ended && !was_ended)
		stopped(t);
}

static void toggle_break(struct tui *t, uint64_t lin)
{
	char name[SYMBOLS_NAME_MAX + 28] = "";

	if (symbols_label(t->e->syms, lin, name + 2, sizeof(name) - 3) == 0) {
		memcpy(name, " (", 2);
		strcat(name, ")");
	}
	if (engine_del_break(t->e, lin) == 0) {
		tui_message(t, false, "breakpoint at %llx%s removed", (unsigned long long)lin, name);
	} else if (engine_add_break(t->e, lin) == 0) {
		tui_message(t, false, "breakpoint at %llx%s (%d set; c continues to one)",
			    (unsigned long long)lin, name, t->e->nbrk);
	} else {
		tui_message(t, true, "%s", vmm_last_error());
	}
}

static void prompt(struct tui *t, enum tui_action a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void prompt(struct tui *t, enum tui_action a, const char *fmt, ...)
{
	char label[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(label, sizeof(label), fmt, ap);
	va_end(ap);
	tui_prompt_open(&t->prompt, a, label);
}

static void scroll(struct tui *t, enum tui_action a, uint64_t count)
{
	struct tui_pane *p = &t->pane[t->focus];
	int page = t->rect[t->focus].h - 2 > 1 ? t->rect[t->focus].h - 2 : 1;
	long n = count > 100000 ? 100000 : (long)count, off = p->scroll;

	if (p->view->key && p->view->key(t, p->priv, a, count))
		return;
	switch (a) {
	case TUI_ACT_UP: off -= n; break;
	case TUI_ACT_DOWN: off += n; break;
	case TUI_ACT_PAGE_UP: off -= n * page; break;
	case TUI_ACT_PAGE_DOWN: off += n * page; break;
	case TUI_ACT_HOME: off = 0; break;
	default: break;
	}
	p->scroll = tui_scroll_clamp(off, p->total, t->rect[t->focus].h - 1);
}

void tui_do(struct tui *t, const struct tui_cmd *c)
{
	t->msg[0] = '\0';
	switch (c->act) {
	case TUI_ACT_REPEAT:
		if (t->last_cmd.act != TUI_ACT_NONE && t->last_cmd.act != TUI_ACT_REPEAT)
			tui_do(t, &t->last_cmd);
		else
			tui_message(t, false, "nothing to repeat yet: Enter repeats s, n, c, b or f");
		return;
	case TUI_ACT_STEP:
	case TUI_ACT_NEXT:
	case TUI_ACT_CONTINUE:
	case TUI_ACT_BACK:
	case TUI_ACT_FORWARD:
		t->last_cmd = *c;
		break;
	default:
		break;
	}
	switch (c->act) {
	case TUI_ACT_STEP:
	case TUI_ACT_FORWARD:
		run(t, ENGINE_GOAL_STEPS, c->count ? c->count : 1);
		break;
	case TUI_ACT_NEXT:
	case TUI_ACT_CONTINUE:
		t->interrupted = false;
		for (uint64_t i = 0; i < c->count && !t->interrupted; i++) {
			run(t, c->act == TUI_ACT_NEXT ? ENGINE_GOAL_OVER : ENGINE_GOAL_CONTINUE, 1);
			if (t->e->ended && t->pos == recorded(t))
				break;
		}
		break;
	case TUI_ACT_BACK:
		if (t->pos == 0) {
			tui_message(t, false, "already at the start (step 0)");
			break;
		}
		tui_goto_step(t, tui_back(t->pos, c->count));
		tui_message(t, false, "step %llu of %llu, from the history (s or Right goes forward)",
			    (unsigned long long)t->pos, (unsigned long long)recorded(t));
		break;
	case TUI_ACT_GOTO_STEP:
		if (c->has_count) {
			if (c->count <= recorded(t))
				tui_goto_step(t, c->count);
			else
				run(t, ENGINE_GOAL_COUNT, c->count - t->pos);
		} else {
			prompt(t, c->act, "go to step (0-%llu, or more to run; +N/-N): ",
			       (unsigned long long)recorded(t));
		}
		break;
	case TUI_ACT_BREAK:
		prompt(t, c->act, "toggle breakpoint at (Enter: cursor %llx): ",
		       (unsigned long long)t->code_cursor);
		break;
	case TUI_ACT_BREAK_CURSOR:
		toggle_break(t, t->code_cursor);
		break;
	case TUI_ACT_WATCH:
		prompt(t, c->act, "watch writes at ADDR [LEN, default 8]: ");
		break;
	case TUI_ACT_GOTO_ADDR:
		prompt(t, c->act, "%s at address: ", t->focus == TUI_PANE_MEMORY ? "memory" : "code");
		break;
	case TUI_ACT_MEMORY:
		prompt(t, c->act, "memory at (p:ADDR for physical): ");
		break;
	case TUI_ACT_WALK:
		prompt(t, c->act, "walk linear address (Enter: RIP): ");
		break;
	case TUI_ACT_FOCUS:
		t->focus = (enum tui_pane_id)((t->focus + 1) % TUI_NPANES);
		break;
	case TUI_ACT_ZOOM:
		t->zoom = !t->zoom;
		break;
	case TUI_ACT_EXPLAIN:
		t->zoom = !(t->zoom && t->focus == TUI_PANE_EVENTS);
		t->focus = TUI_PANE_EVENTS;
		break;
	case TUI_ACT_FOCUS_BACK:
		t->focus = (enum tui_pane_id)((t->focus + TUI_NPANES - 1) % TUI_NPANES);
		break;
	case TUI_ACT_UP:
	case TUI_ACT_DOWN:
	case TUI_ACT_PAGE_UP:
	case TUI_ACT_PAGE_DOWN:
	case TUI_ACT_HOME:
		scroll(t, c->act, c->count);
		break;
	case TUI_ACT_LATEST:
		tui_goto_step(t, recorded(t));
		break;
	case TUI_ACT_HELP:
		t->help = !t->help;
		t->help_scroll = 0;
		break;
	case TUI_ACT_REDRAW:
		t->clear = true;
		break;
	case TUI_ACT_QUIT:
		t->quit = true;
		break;
	default:
		break;
	}
}

static int sym_lookup(void *ctx, const char *name, size_t len, uint64_t *addr)
{
	const struct tui *t = ctx;

	return symbols_lookup(t->e->syms, name, len, addr);
}

void tui_prompt_done(struct tui *t)
{
	const char *text = t->prompt.text;
	const struct tui_addr_env env = { &t->snap.regs, &t->snap.sregs, sym_lookup, t };
	struct tui_addr a;
	uint64_t n, len = 8;
	bool empty = t->prompt.len == 0;

	switch (t->prompt.act) {
	case TUI_ACT_GOTO_STEP:
		if (tui_parse_step(text, t->pos, &n) < 0)
			goto bad;
		if (n <= recorded(t))
			tui_goto_step(t, n);
		else
			run(t, ENGINE_GOAL_COUNT, n - t->pos);
		return;
	case TUI_ACT_BREAK:
		if (empty)
			a.addr = t->code_cursor;
		else if (tui_parse_addr_env(text, &env, &a) < 0)
			goto bad;
		else if (a.phys)
			goto linear_only;
		toggle_break(t, a.addr);
		return;
	case TUI_ACT_WATCH:
		if (tui_parse_addr_len_env(text, &env, &a, &len) < 0)
			goto bad;
		if (a.phys)
			goto linear_only;
		if (engine_add_watch(t->e, a.addr, len) < 0)
			tui_message(t, true, "%s", vmm_last_error());
		else
			tui_message(t, false, "watching %llu bytes at %llx: c stops after a write there",
				    (unsigned long long)len, (unsigned long long)a.addr);
		return;
	case TUI_ACT_GOTO_ADDR:
	case TUI_ACT_MEMORY:
		if (empty)
			return;
		if (tui_parse_addr_env(text, &env, &a) < 0)
			goto bad;
		if (t->prompt.act == TUI_ACT_GOTO_ADDR && t->focus != TUI_PANE_MEMORY && !a.phys) {
			tui_code_show(t, a.addr);
			t->focus = TUI_PANE_CODE;
		} else {
			tui_memory_show(t, &a);
		}
		return;
	case TUI_ACT_WALK:
		if (empty) {
			t->walk_set = false;
			return;
		}
		if (tui_parse_addr_env(text, &env, &a) < 0)
			goto bad;
		if (a.phys)
			goto linear_only;
		t->walk_set = true;
		t->walk_addr = a.addr;
		snprintf(t->walk_text, sizeof(t->walk_text), "%s", text);
		return;
	default:
		return;
	}
linear_only:
	tui_message(t, true, "'%s' is a physical address; this needs a linear one (x %s shows that "
		    "memory)", text, text);
	return;
bad:
	tui_message(t, true, "'%s' is not %s", text,
		    t->prompt.act == TUI_ACT_GOTO_STEP ? "a step number (e.g. 12, +5, -3)"
		    : symbols_any(t->e->syms)
		    ? "an address (hex, a symbol like main+10, a register like rsp or cr2, seg:off, p:ADDR)"
		    : "an address (hex like 1000, a register like rsp or cr2, seg:off, p:ADDR; this "
		      "guest's file has no symbols)");
}
