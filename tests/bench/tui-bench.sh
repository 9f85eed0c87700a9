#!/bin/sh
# tui-bench.sh - how fast the TUI keeps up with a held step key: KVMLAB_TUI_BENCH=N makes
# `kvmlab tui` step N times through its step action, redrawing the whole screen to a
# pseudo-terminal after every step, then print "tui-bench: N steps in S s: R steps/s".
# Target: at least 2,000 steps/s.  Prints figures; fails only if the TUI cannot run.
#
# usage: tui-bench.sh [KVMLAB [STEPS]]   (or KVMLAB, GUESTS_DIR, STEPS in the environment)
set -u

KVMLAB="${1:-${KVMLAB:-}}"
STEPS="${2:-${STEPS:-10000}}"
[ -n "$KVMLAB" ] || { echo "usage: tui-bench.sh KVMLAB [STEPS]"; exit 1; }
[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
command -v script >/dev/null 2>&1 || { echo "SKIP: script(1) is not installed"; exit 77; }

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
guests=""
[ -n "${GUESTS_DIR:-}" ] && guests="KVMLAB_GUESTS=$GUESTS_DIR"

status=0
for size in 80x24 200x60; do
	for colour in colour mono; do
		cols=${size%x*} lines=${size#*x}
		nc=""
		[ "$colour" = mono ] && nc="NO_COLOR=1"
		# script(1) gives the TUI a pseudo-terminal; LINES/COLUMNS set its size.
		env $guests $nc TERM=xterm-256color LINES="$lines" COLUMNS="$cols" \
			KVMLAB_TUI_BENCH="$STEPS" \
			script -qec "'$KVMLAB' tui tight-64" /dev/null > "$out" 2>&1
		rc=$?
		line=$(tr -d '\r' < "$out" | grep -ao 'tui-bench: .*' | tail -n 1)
		if [ $rc -ne 0 ] || [ -z "$line" ]; then
			echo "tui-bench $size $colour: the TUI failed (status $rc)"
			tr -d '\r' < "$out" | grep -a 'kvmlab' | tail -n 3
			status=1
			continue
		fi
		rate=$(echo "$line" | sed -n 's/.*: \([0-9]*\) steps\/s.*/\1/p')
		verdict="meets the 2,000 steps/s target"
		[ "${rate:-0}" -lt 2000 ] && verdict="BELOW the 2,000 steps/s target"
		echo "$line [$colour] - $verdict"
	done
done
exit $status
