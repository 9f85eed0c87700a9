#!/bin/sh
# test-labrun.sh KVMLAB LABS_DIR - kvmlab lab run and trace with the lab's settings and the
# student's own handlers, ports with no device, and the cause of each failed check.
#
# Submissions made from the reference solutions with sed, one planted bug each:
#   lab 04: port (print32 on 0x5001, where nothing is), size (print32 with outb), crash (ud2 in
#           print32), silent (a lab_printStr that prints nothing);
#   lab 03: print (a print32 of 7 through kvmlab's own handler, and 0x600000 left writable:
#           a check fails, so the report shows the output), port (outb to 0x5a0), size (outb to
#           print32's port), crash (no identity map: a triple fault after CR3).
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/lib.sh"

L4=$LABS/04-hypercalls
L3=$LABS/03-paging
mk() {   # mk NAME LAB: a copy of LAB's solution in $T/NAME
	mkdir -p "$T/$1" && cp "$2"/solution/* "$T/$1/"
}
mkdir "$T/empty"
mk port "$L4"; mk size "$L4"; mk crash "$L4"; mk silent "$L4"
sed -i 's/outl(HC_PRINT32, val);/outl(0x5001, val);/' "$T/port/guest.c"
sed -i 's/outl(HC_PRINT32, val);/outb(HC_PRINT32, (uint8_t)val);/' "$T/size/guest.c"
sed -i 's/outl(HC_PRINT32, val);/__asm__ volatile("ud2"); outl(HC_PRINT32, val);/' "$T/crash/guest.c"
sed -i 's/lab_print(ctx, "%s", buf);/(void)buf;/' "$T/silent/handlers.c"
mk l3print "$L3"; mk l3port "$L3"; mk l3size "$L3"; mk l3crash "$L3"
at='^void setup_paging(void)$'
sed -i "/$at/,/^{/s/^{/{\n\t__asm__ volatile(\"outl %%eax, %%dx\" : : \"a\"(7), \"d\"(0x501));/" "$T/l3print/paging.c"
sed -i 's/PA_RO | PTE_P | PTE_A;/PA_RO | PTE_P | PTE_RW | PTE_A;/' "$T/l3print/paging.c"
sed -i "/$at/,/^{/s/^{/{\n\t__asm__ volatile(\"outb %%al, %%dx\" : : \"a\"(1), \"d\"(0x5a0));/" "$T/l3port/paging.c"
sed -i "/$at/,/^{/s/^{/{\n\t__asm__ volatile(\"outb %%al, %%dx\" : : \"a\"(1), \"d\"(0x501));/" "$T/l3size/paging.c"
sed -i 's/pd\[index_of(0, 2)\] = 0 | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS;/pd[index_of(0, 2)] = 0;/' "$T/l3crash/paging.c"
# the planted bugs are there, so nothing below passes by accident
if ! grep -q 'outl(0x5001' "$T/port/guest.c" || ! grep -q 'outb(HC_PRINT32' "$T/size/guest.c" ||
   ! grep -q 'ud2' "$T/crash/guest.c" || ! grep -q '(void)buf;' "$T/silent/handlers.c" ||
   ! grep -q '"a"(7), "d"(0x501)' "$T/l3print/paging.c" || ! grep -q 'PA_RO | PTE_P | PTE_RW' "$T/l3print/paging.c" ||
   ! grep -q '0x5a0' "$T/l3port/paging.c" || ! grep -q '"a"(1), "d"(0x501)' "$T/l3size/paging.c" ||
   ! grep -q 'pd\[index_of(0, 2)\] = 0;' "$T/l3crash/paging.c"; then
	bad "the sed edits of the submissions"; exit 1
fi
ok "submissions with planted bugs"

# lab run: the solution's own handlers print (nothing labelled), and it halts
"$KVMLAB" lab run 04 "$L4/solution" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -qx "CS 695 Assignment 3" "$T/out" && ! grep -q "kvmlab's" "$T/out" &&
   grep -q "halted in long mode" "$T/err" && ! grep -q "no device" "$T/err"; then
	ok "lab run 04 solution: the student's handlers print, unlabelled"
else bad "lab run 04 solution: exit $rc"; cat "$T/out" "$T/err"; fi

# a mistyped port: said by lab run (one line per port, with the count) and by grade
"$KVMLAB" lab run 04 "$T/port" >"$T/out" 2>"$T/err"
if grep -qx "kvmlab: no device on port 0x5001: 9 OUT (the writes went nowhere)" "$T/err"; then
	ok "lab run: the mistyped port, with its count"
else bad "lab run: no line for port 0x5001"; cat "$T/err"; fi
"$KVMLAB" grade 04 "$T/port" >"$T/rep" 2>&1
rc=$?
if [ $rc -eq 6 ] && grep -q "^Ports with no device" "$T/rep" &&
   grep -qx "  port 0x5001: 9 OUT (the writes went nowhere)" "$T/rep" &&
   grep -A4 "^FAIL  print32-one-exit" "$T/rep" | grep -q "cause:    the guest used a port no device answers: port 0x5001" &&
   grep -q "Compare the port your guest uses with the lab's port map" "$T/rep"; then
	ok "grade: the port with no device in the report, and as the cause of the failed checks"
else bad "grade port: exit $rc"; cat "$T/rep"; fi
"$KVMLAB" grade 04 "$T/port" --format gradescope -o "$T/gs.json" >/dev/null 2>&1
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "port 0x5001: 9 OUT" in d["output"], d["output"]
assert any("Cause:    the guest used a port no device answers" in t["output"] for t in d["tests"])
' "$T/gs.json"; then ok "gradescope: the port and the cause"
else bad "gradescope: no port or cause"; cat "$T/gs.json"; fi
"$KVMLAB" grade 04 "$T/port" --format tap >"$T/tap" 2>&1
if grep -q "^  cause: " "$T/tap" && grep -qx "# no device on port 0x5001: 9 OUT (the writes went nowhere)" "$T/tap"; then
	ok "tap: the cause, and the port as a diagnostic line"
else bad "tap: no cause or port"; cat "$T/tap"; fi

# the lab's own hint for a cause (cause_hints:) replaces kvmlab's
cp -r "$L4" "$T/lab4"
printf 'cause_hints:\n  port: "Lab 04 HINT: the ports are in hypercalls.h"\n' >>"$T/lab4/lab.yaml"
"$KVMLAB" grade "$T/lab4" "$T/port" >"$T/rep" 2>&1
if grep -q "Lab 04 HINT: the ports are in hypercalls.h" "$T/rep" &&
   ! grep -q "Compare the port your guest uses" "$T/rep"; then ok "cause_hints: the lab's hint"
else bad "cause_hints not used"; cat "$T/rep"; fi
printf 'cause_hints:\n  porch: "x"\n' >"$T/bad.yaml"
cat "$L4/lab.yaml" "$T/bad.yaml" >"$T/lab4/lab.yaml"
"$KVMLAB" grade "$T/lab4" "$T/port" >"$T/rep" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "porch" "$T/rep"; then ok "cause_hints: an unknown cause is refused ($(head -1 "$T/rep"))"
else bad "cause_hints porch: exit $rc"; cat "$T/rep"; fi

# the wrong access size, a crash, a handler that prints nothing: each the cause it is
cause() {   # cause SUB LAB PATTERN WHAT
	"$KVMLAB" grade "$2" "$T/$1" >"$T/rep" 2>&1
	if [ $? -eq 6 ] && grep -q "cause:    $3" "$T/rep"; then ok "$4"
	else bad "$4"; cat "$T/rep"; fi
}
cause size 04 "the guest used a 1-byte OUT on port 0x501 (print32), which takes outl" "grade: the wrong size"
grep -q "printed nothing" "$T/rep" && bad "a refused access counted as a silent handler"
cause crash 04 "the guest crashed: triple fault" "grade: the crash"
cause silent 04 "printStr was called 3 times and your handler printed nothing" "grade: a printStr that prints nothing"
"$KVMLAB" grade 03 "$T/l3port" >"$T/rep" 2>&1
if [ $? -eq 0 ] && grep -qx "  port 0x5a0: 1 OUT (the writes went nowhere)" "$T/rep"; then
	ok "grade 03: full marks, and the port with no device in the report"
else bad "grade 03 port"; cat "$T/rep"; fi
cause l3size 03 "the guest used a 1-byte OUT on port 0x501 (print32), which takes outl" "grade 03: the wrong size"
cause l3crash 03 "the guest crashed: triple fault" "grade 03: the crash"
"$KVMLAB" lab run 04 "$T/silent" >"$T/out" 2>"$T/err"
if ! grep -q "CS 695 Assignment 3" "$T/out" && grep -qx "2048" "$T/out"; then
	ok "lab run: a silent printStr prints nothing there either"
else bad "lab run silent"; cat "$T/out"; fi

# kvmlab's own handler: labelled in lab run; lab run prints what grade observed
"$KVMLAB" lab run 03 "$T/l3print" >"$T/out" 2>"$T/err"
"$KVMLAB" grade 03 "$T/l3print" >"$T/rep" 2>&1
sed -n '/^Guest output:$/,/^$/p' "$T/rep" | sed '1d;$d;s/^  //' >"$T/observed"
if grep -qx "\[kvmlab's print32\] 7" "$T/out" && [ -s "$T/observed" ] && cmp -s "$T/out" "$T/observed"; then
	ok "lab run 03: kvmlab's print32 labelled; the output equals grade's observed output"
else bad "lab run 03 output vs grade"; cat "$T/out"; echo ---; cat "$T/observed"; fi
if grep -q "FAIL  map-ro" "$T/rep" && ! grep -q "^Ports with no device" "$T/rep"; then
	ok "grade 03: the writable 0x600000 fails map-ro, no port reported"
else bad "grade 03 print"; cat "$T/rep"; fi
"$KVMLAB" lab run 03 "$T/l3port" >"$T/out" 2>"$T/err"
if grep -qx "kvmlab: no device on port 0x5a0: 1 OUT (the writes went nowhere)" "$T/err"; then
	ok "lab run 03: the port with no device"
else bad "lab run 03 port"; cat "$T/err"; fi

# lab trace: the lab's settings and the student's handlers; a plain trace of the same guest
# (kept with KVMLAB_KEEP_BUILD) labels what kvmlab's handlers print
"$KVMLAB" lab trace 04 "$T/silent" --format jsonl -o "$T/trace.jsonl" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && [ -s "$T/trace.jsonl" ] && grep -qx "2048" "$T/out" && ! grep -q "CS 695" "$T/out"; then
	ok "lab trace 04: traced with the student's handlers (console on stdout with -o)"
else bad "lab trace silent: exit $rc"; cat "$T/out" "$T/err" | tail -20; fi
KVMLAB_KEEP_BUILD=1 TMPDIR=$T "$KVMLAB" lab build 04 "$T/silent" >"$T/out" 2>"$T/err"
by_hand=$(sed -n "s/^kvmlab: its guest with the lab's settings and kvmlab's own handlers: kvmlab //p" "$T/err")
kept=$(sed -n 's/^kvmlab: the build folder stays: //p' "$T/err")
case "$by_hand" in
"run --mode long --mem 2M --max-exits 10000 --timeout 2000 $kept/out/guest.elf") ok "lab build: the kept folder and the command to run its guest" ;;
*) bad "lab build: no command ($by_hand)"; cat "$T/err" ;;
esac
# shellcheck disable=SC2086
"$KVMLAB" trace $(echo "$by_hand" | sed 's/^run //') >/dev/null 2>"$T/err"
if grep -q "^\[kvmlab's printStr\] CS 695 Assignment 3$" "$T/err"; then
	ok "trace: kvmlab's printStr labelled"
else bad "trace: no label"; grep -v "^ " "$T/err" | head; fi
KVMLAB_KEEP_BUILD=1 TMPDIR=$T "$KVMLAB" lab build 03 "$T/l3print" >/dev/null 2>"$T/err"
by_hand=$(sed -n "s/^kvmlab: its guest with the lab's settings and kvmlab's own handlers: kvmlab //p" "$T/err")
# shellcheck disable=SC2086
"$KVMLAB" $by_hand >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && echo "$by_hand" | grep -q -- "--mem 4M" && grep -q "halted in long mode" "$T/err"; then
	ok "lab 03's guest run by hand with the lab's --mem 4M halts"
else bad "lab 03 by hand: exit $rc ($by_hand)"; cat "$T/err"; fi

# bad input: each refused in one line that says what to do
refused() {   # refused STATUS PATTERN WHAT ARGS...
	st=$1 pat=$2 what=$3
	shift 3
	"$KVMLAB" "$@" >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq "$st" ] && grep -q -- "$pat" "$T/out"; then ok "$what: $(head -1 "$T/out")"
	else bad "$what: exit $rc"; cat "$T/out"; fi
}
refused 1 "lab trace: unknown option or missing value '--bogus'" "an unknown trace option" \
	lab trace 04 "$L4/solution" --bogus
refused 1 "usage: kvmlab lab tui LAB \[DIR\]" "lab tui without a lab" lab tui
refused 1 "usage: kvmlab lab run LAB \[DIR\]" "lab run with three folders" lab run 04 a b c
refused 2 "guest source 'guest.c' not found in $T/empty" "lab run on a folder without the sources" \
	lab run 04 "$T/empty"
refused 2 "no lab named 'nosuchlab'" "lab run of no such lab" lab run nosuchlab
exit $fail
