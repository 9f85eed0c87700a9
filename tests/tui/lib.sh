# lib.sh - helpers for the TUI tests: run `kvmlab tui` inside a private tmux server, send keys,
# read the screen back as text.  Sourced by tests/tui/*.sh.
#
# Environment: KVMLAB (the kvmlab binary, required), GUESTS_DIR (the built guests; optional when
# KVMLAB finds them itself), TUI_TIMEOUT (seconds to wait for a screen, default 10).
# Exit codes: 0 pass, 1 fail, 77 skip (no tmux, no usable /dev/kvm).

set -u

skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	if [ -n "${TUI_SOCK:-}" ]; then
		echo "---- screen ----"
		screen
		echo "----------------"
	fi
	exit 1
}
pass() { echo "ok - $*"; }

[ -n "${KVMLAB:-}" ] || { echo "KVMLAB must name the kvmlab binary"; exit 1; }
command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"
[ -c /dev/kvm ] || skip "/dev/kvm is missing"
{ [ -r /dev/kvm ] && [ -w /dev/kvm ]; } || skip "no permission to use /dev/kvm"

TUI_RUN=0
TUI_SOCK="kvmlab-tui-test-$$-0"
TUI_TIMEOUT="${TUI_TIMEOUT:-10}"
TUI_TMP="$(mktemp -d)"
export TMUX_TMPDIR="$TUI_TMP"   # the tmux sockets go away with the test's folder
unset TMUX                      # a private server even when run from inside tmux
trap 'stop; rm -rf "$TUI_TMP"' EXIT

tmx() { tmux -L "$TUI_SOCK" -f /dev/null "$@"; }

# stop: end the tmux server of the last start (each start gets a server of its own).
stop() { tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1; }

# start W H ARGS...: run `kvmlab tui ARGS` (`kvmlab $TUI_CMD ARGS` if set) in a W x H pane; when it exits the pane shows
# "EXITED <status>" and the terminal settings (stty -a) and stays open.
start() {
	stop
	TUI_RUN=$((TUI_RUN + 1))
	TUI_SOCK="kvmlab-tui-test-$$-$TUI_RUN"
	w=$1 h=$2
	shift 2
	guests=""
	[ -n "${GUESTS_DIR:-}" ] && guests="KVMLAB_GUESTS='$GUESTS_DIR'"
	printf '%s\n' "#!/bin/sh" \
		"echo \$\$ > '$TUI_TMP/pid'" \
		"exec env $guests ${TUI_ENV:-} '$KVMLAB' ${TUI_CMD:-tui} $*" > "$TUI_TMP/run.sh"
	printf '%s\n' "#!/bin/sh" \
		"sh '$TUI_TMP/run.sh'" \
		"echo EXITED \$?" \
		"stty -a | tr ' ;' '\n\n' | grep -x -e echo -e -echo -e icanon -e -icanon | tr '\n' ' '" \
		"echo" \
		"sleep 600" > "$TUI_TMP/pane.sh"
	tmx new-session -d -s tui -x "$w" -y "$h" "sh '$TUI_TMP/pane.sh'" || fail "tmux cannot start"
	tmx set-option -t tui status off >/dev/null
	wait_for "kvmlab tui" || fail "the TUI did not start"
}

# The screen as text.
screen() { tmx capture-pane -p -t tui; }

# keys KEY...: tmux send-keys (use -l for literal text).
keys() { tmx send-keys -t tui "$@"; }

# wait_for PATTERN: until the screen matches the extended regular expression; 1 on timeout.
wait_for() {
	i=0
	while [ "$i" -lt $((TUI_TIMEOUT * 20)) ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# expect PATTERN WHAT: wait for PATTERN or fail saying WHAT was missing.
expect() { wait_for "$1" || fail "$2 (waited for /$1/)"; }

# gone PATTERN WHAT: wait until the screen no longer matches, or fail.
gone() {
	i=0
	while [ "$i" -lt $((TUI_TIMEOUT * 20)) ]; do
		screen | grep -Eq -- "$1" || return 0
		sleep 0.05
		i=$((i + 1))
	done
	fail "$2 (still showing /$1/)"
}

# refute PATTERN WHAT: fail if the screen matches now.
refute() { ! screen | grep -Eq -- "$1" || fail "$2 (found /$1/)"; }

# step_to N: wait until the title bar says step N/...
at_step() { expect "step $1/[0-9]+ " "step $1 shown"; }

# resize W H
resize() { tmx resize-window -t tui -x "$1" -y "$2"; }

# The kvmlab process (for signals).
tui_pid() { cat "$TUI_TMP/pid"; }
