#!/bin/sh
# test-course.sh KVMLAB LABS_DIR - lab 04 grades the course's own shapes (tests/labs/course):
#   - the lab's solution on the 2024 edition: full marks (2023: test-grade.sh);
#   - a2023 and b2024, our code in the shape of the two published student solutions, each on
#     a copy of lab 04 set to its edition and its own ports: full marks;
#   - a2023 with a TSC half a wrap away from the getTimestamp exit: that check fails;
#   - a2023 with gvaToHva printed by the handler (0x...) instead of returned: full marks;
#     with getTimestamp from time() or KVM's clock: full marks; with its IN answer left at 0 (the old
#     limit): the gvaToHva checks fail;
#   - b2024 with a numExitsByType one off: that check fails; the 2024 lab's starter: low;
#   - whole: lab_hypercall sees string I/O, a port two hypercalls share, and answers INs.
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/lib.sh"
C=$(dirname "$0")/course
L=$LABS/04-hypercalls

# lab COPY EDITION NAME=PORT...: a copy of lab 04 of that edition, the hypercalls moved
lab() {
	dir=$1 edition=$2
	shift 2
	cp -r "$L" "$dir"
	sed -i "s/^edition: 2023\$/edition: $edition/" "$dir/lab.yaml"
	for m in "$@"; do
		sed -i -E "s/^(  ${m%%=*}: )0x[0-9a-f]+\$/\\1${m#*=}/" "$dir/lab.yaml"
	done
	for m in "$@"; do
		grep -q "^  ${m%%=*}: ${m#*=}\$" "$dir/lab.yaml" || { bad "sed of $dir: $m"; exit 1; }
	done
	grep -q "^edition: $edition\$" "$dir/lab.yaml" || { bad "sed of $dir: edition"; exit 1; }
}

# grade LAB SUB NAME: grade, keep the report in $T/NAME.out, print the total
grade() {
	"$KVMLAB" grade "$1" "$2" >"$T/$3.out" 2>&1
	sed -n 's/^Total: \([0-9]*\)\/50 points$/\1/p' "$T/$3.out"
}

full() {   # full NAME SCORE WHAT
	[ "$2" = 50 ] && ok "$3: 50/50" || { bad "$3: ${2:-no total}/50"; cat "$T/$1.out"; }
}

lab "$T/l2023" 2023 print32=0xE8 printStr=0xE7 numExits=0xEA gvaToHva=0xEB getTimestamp=0xEC
lab "$T/l2024" 2024 print32=0xEB numExits=0xEB printStr=0xEC numExitsByType=0xED \
	getTimestamp=0xEE gvaToHva=0xEF

lab "$T/s2024" 2024
full s "$(grade "$T/s2024" "$L/solution" s)" "the lab's solution on 2024"
full a "$(grade "$T/l2023" "$C/a2023" a)" "a2023 (one port each, gvaToHva returned, TSC) on 2023"
full b "$(grade "$T/l2024" "$C/b2024" b)" "b2024 (shared ports, KVM clock) on 2024"

# the course's sample output shape: print32 of gvaToHva, a decimal, then Invalid GVA and 0
"$KVMLAB" lab run "$T/l2024" "$C/b2024" >"$T/run" 2>&1
if grep -Pzq 'Hello 695!\n2048\n4294967295\nCS695 Assignment 2\n[0-9]+\n[0-9]+\n[0-9]+\nInvalid GVA\n0\nIO in: [0-9]+\nIO out: [0-9]+\nIO in: [0-9]+\nIO out: [0-9]+\n' "$T/run"
then ok "b2024 prints the course's sample output shape"
else bad "b2024 output"; cat "$T/run"; fi

# variant SUBMISSION NAME SED TEXT...: a copy of a course submission with its handlers.c
# edited by SED, which must then hold each TEXT (else the sed matched nothing, and the case
# would grade the submission unchanged)
variant() {
	src=$1 name=$2 script=$3
	shift 3
	cp -r "$C/$src" "$T/$name"
	sed -i "$script" "$T/$name/handlers.c"
	for text in "$@"; do
		grep -qF -- "$text" "$T/$name/handlers.c" || { bad "sed of $name: no '$text'"; exit 1; }
	done
}

variant a2023 print 's|^\t\tif (!hva)$|\t\tif (hva)\n\t\t\tlab_print(ctx, "0x%" PRIx64 "\\n", hva);\n\t\telse|
s|^\t\t\texit->value = (uint32_t)hva;$|\t\t\texit->value = 0;|' 'lab_print(ctx, "0x%" PRIx64' 'exit->value = 0;'
full print "$(grade "$T/l2023" "$T/print" print)" "a2023, gvaToHva printed as 0x... on its OUT"

variant a2023 time 's|return (uint32_t)__builtin_ia32_rdtsc();|return (uint32_t)time(NULL);|; s|^#include <stdio.h>$|#include <stdio.h>\n#include <time.h>|' 'time(NULL)'
full time "$(grade "$T/l2023" "$T/time" time)" "a2023, getTimestamp from time()"

variant a2023 clock 's|return (uint32_t)__builtin_ia32_rdtsc();|return 0;|; s|exit->value = timestamp();|exit->value = (uint32_t)lab_kvm_clock(ctx) + timestamp();|' 'lab_kvm_clock(ctx) + timestamp()'
full clock "$(grade "$T/l2023" "$T/clock" clock)" "a2023, getTimestamp from KVM's clock (lab_kvm_clock)"

# the window is the getTimestamp exit itself: a TSC half a wrap off is outside it
variant a2023 late 's|return (uint32_t)__builtin_ia32_rdtsc();|return (uint32_t)__builtin_ia32_rdtsc() + 0x80000000u;|' '+ 0x80000000u'
s=$(grade "$T/l2023" "$T/late" late)
grep -q "FAIL  timestamp" "$T/late.out" && [ "$s" = 47 ] &&
	ok "a2023 with a TSC half a wrap off: timestamp fails ($s/50)" ||
	{ bad "a2023, TSC off: $s"; cat "$T/late.out"; }

variant a2023 zero 's|^\t\t\texit->value = (uint32_t)hva;$|\t\t\texit->value = 0;|' 'exit->value = 0;'
s=$(grade "$T/l2023" "$T/zero" zero)
grep -q "FAIL  drawn-gvaToHva" "$T/zero.out" && grep -Eq "(FAIL|SKIP)  gvaToHva " "$T/zero.out" &&
	[ "${s:-50}" -lt 50 ] && ok "a2023 whose gvaToHva IN reads 0: gvaToHva fails ($s/50)" ||
	{ bad "a2023, IN reads 0: $s"; cat "$T/zero.out"; }

variant b2024 offby1 's|lab_exits(ctx, "IO in"), lab_exits(ctx, "IO out"));|lab_exits(ctx, "IO in") + 1, lab_exits(ctx, "IO out"));|' '"IO in") + 1'
s=$(grade "$T/l2024" "$T/offby1" offby1)
grep -q "FAIL  numExitsByType" "$T/offby1.out" && [ "$s" = 46 ] &&
	ok "b2024 with numExitsByType one off: that check fails ($s/50)" ||
	{ bad "b2024 one off: $s"; cat "$T/offby1.out"; }

s=$(grade "$T/l2024" "$L/starter" starter)
[ "${s:-50}" -le 4 ] && ok "the starter on 2024: $s/50" || { bad "starter on 2024: $s"; cat "$T/starter.out"; }

cp -r "$C/whole" "$T/whole" && cp "$L/start.S" "$T/whole/"   # the entry of lab 04
"$KVMLAB" grade "$T/whole" "$T/whole" >"$T/whole.out" 2>&1
grep -q "^Total: 4/4 points" "$T/whole.out" &&
	ok "lab_hypercall: string I/O, a shared port, IN answers" || { bad "whole"; cat "$T/whole.out"; }
exit $fail
