#!/bin/sh
# explain.sh - the explanation of boot's step 35 (CR0.PG: long mode active, compatibility mode
# until a far jump) is readable in full at every size from 80x24 to 200x60: on the screen as it
# is from 100x30 up, after `e` (the events pane zoomed) at 80x24; wide terminals leave no big
# empty area (at 160x45 the events pane sits under the CPU state); `?` explains "live only".
# The sentence expected is the one `kvmlab trace` prints for the same step.
. "$(dirname "$0")/lib.sh"

want=$(env ${GUESTS_DIR:+KVMLAB_GUESTS="$GUESTS_DIR"} "$KVMLAB" trace boot 2>/dev/null |
	awk '/^ +[0-9]+ / { step = $1 } /^ += / && step == 35 { sub(/^ += /, ""); print; exit }')
case $want in *"a far jump"*) ;; *) fail "kvmlab trace boot: step 35 has no far-jump sentence: '$want'" ;; esac

# cols FIRST LAST: the screen's text in pane columns FIRST..LAST (split at the separators),
# joined into one line with single spaces.
cols() {
	screen | awk -F'│' -v a="$1" -v b="$2" '{ s = ""; for (i = a; i <= b && i <= NF; i++) s = s " " $i; print s }' |
		tr -s ' \n' '  '
}

# The sentence, whole, in the given columns (continuation lines are indented: spaces collapse).
has_sentence() { cols "$1" "$2" | grep -qF -- "$want"; }

to_compat() {
	n=0
	while [ "$n" -lt 40 ] && ! screen | grep -q "mode: compat"; do
		keys s
		n=$((n + 1))
		at_step "$n"
	done
	screen | grep -q "mode: compat" || fail "never reached compat mode"
}

for size in 100x30 120x36 140x40 150x40 160x45 200x60; do
	w=${size%x*} h=${size#*x}
	start "$w" "$h" boot
	to_compat
	if [ "$w" -ge 150 ]; then
		has_sentence 2 2 || fail "$size: the whole explanation is not in the middle column"
	else
		has_sentence 1 1 || fail "$size: the whole explanation is not in the left column"
	fi
	refute "e: all" "$size: the explanation is not cut"
	pass "$size: the explanation of the CR0.PG step is on the screen in full"
done

# 160x45: the middle column (registers, system, events) is used to the bottom.
start 160 45 boot
to_compat
empty=$(screen | sed -n '2,44p' | awk -F'│' '{ print $2 }' | grep -c '^ *$')
[ "$empty" -lt 15 ] || fail "160x45: $empty empty rows in the middle column"
pass "160x45: $empty empty rows in the middle column"

# 80x24: cut, and said so; e shows it all; e again goes back.
start 80 24 boot
to_compat
expect "e: all" "80x24: the cut explanation says e shows all"
keys e
expect ">events" "e zooms the events pane"
has_sentence 1 1 || fail "80x24: the whole explanation after e"
refute "│" "the zoomed pane has the screen to itself"
keys e
expect ">events" "the events pane keeps the focus"
expect "registers" "e again: all panes"
pass "80x24: e shows the whole explanation"

# z zooms whatever has the focus: the console pane.
keys Tab
expect ">console" "Tab to the console pane"
keys z
expect ">console" "z zooms the console pane"
refute "registers" "only the console pane"
keys z
expect "registers" "z again: all panes"

# ? explains the abbreviations, "live only" among them.
keys b
expect "live only" "a step from the history: the walk pane says KVM_TRANSLATE is live only"
keys ?
expect "kvmlab tui keys" "the help"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	screen | grep -q "live only  *KVM_TRANSLATE can only be asked" && break
	keys NPage
	sleep 0.1
done
expect "live only  *KVM_TRANSLATE can only be asked" "? explains 'live only'"
keys Escape
keys q
expect "EXITED 0" "q quits"
pass "the explanation is readable at every size; ? explains live only"
