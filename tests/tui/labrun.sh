#!/bin/sh
# labrun.sh - kvmlab lab tui: the student's guest stepped with the lab's settings and the
# student's own handlers.  Lab 04's solution: the console pane shows what the student's
# printStr printed, unlabelled; a lab_printStr that prints nothing shows nothing there (the
# issue: it looked fixed in kvmlab tui, where kvmlab's own printStr answered); the same guest
# under plain kvmlab tui shows kvmlab's printStr's text labelled as kvmlab's.
# Environment: LABS_DIR, the labs folder (as tests/meson.build sets it).
. "$(dirname "$0")/lib.sh"

L4=${LABS_DIR:?LABS_DIR must name the labs folder}/04-hypercalls
mkdir -p "$TUI_TMP/silent"
cp "$L4"/solution/* "$TUI_TMP/silent/"
sed -i 's/lab_print(ctx, "%s", buf);/(void)buf;/' "$TUI_TMP/silent/handlers.c"
grep -q '(void)buf;' "$TUI_TMP/silent/handlers.c" || fail "the sed edit of handlers.c"

TUI_CMD="lab tui"
start 120 40 04 "$L4/solution"
keys c
expect "STOPPED" "the guest runs to its end"
expect "│drawn: *$" "the student's printStr printed into the console pane"
refute "kvmlab's printStr" "nothing labelled: the student's handlers answered"
pass "lab tui 04 solution: the student's handlers' output in the console pane"

start 120 40 04 "$TUI_TMP/silent"
keys c
expect "STOPPED" "the guest runs to its end"
expect "│Invalid GVA *$" "the student's gvaToHva printed"
refute "drawn:" "a printStr that prints nothing shows nothing"
pass "lab tui 04 silent printStr: nothing in the console pane"

# the same guest under plain kvmlab tui: kvmlab's own printStr, labelled
KVMLAB_KEEP_BUILD=1 TMPDIR=$TUI_TMP "$KVMLAB" lab build 04 "$TUI_TMP/silent" 2>"$TUI_TMP/build"
by_hand=$(sed -n "s/^kvmlab: its guest with the lab's settings and kvmlab's own handlers: kvmlab run //p" "$TUI_TMP/build")
[ -n "$by_hand" ] || { cat "$TUI_TMP/build"; fail "lab build gave no command"; }
TUI_CMD="tui"
start 120 40 "$by_hand"
keys c
expect "STOPPED" "the guest runs to its end"
expect "│\[kvmlab's printStr\] drawn:" "kvmlab's printStr labelled in the console pane"
pass "tui: kvmlab's own printStr labelled"
