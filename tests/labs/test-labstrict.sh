#!/bin/sh
# test-labstrict.sh KVMLAB LABS_DIR - what an instructor meets before students do, on copies
# of labs 02 and 03: `kvmlab lab test` reporting examples not as listed, missing files and
# a broken tests: block; a missing reference trace as a lab error; the lab's headers winning
# over a submission's; `grade --view` in every format.
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/lib.sh"

# run CMD...: run it, output in $T/out, exit status in $st
run() { "$@" >"$T/out" 2>&1; st=$?; }
has() { grep -q -- "$1" "$T/out"; }
# expect STATUS PATTERN WHAT CMD...: CMD exits with STATUS and prints a line matching PATTERN
expect() {
	want=$1 pattern=$2 what=$3
	shift 3
	run "$@"
	if [ "$st" = "$want" ] && has "$pattern"; then ok "$what"
	else bad "$what (exit $st)"; cat "$T/out"; fi
}

# ---- lab test: a listed failure that does not happen, and one not listed ---------------
cp -r "$LABS/02-modes" "$T/l02"
sed -i 's/    failing: \[rax42\]/    failing: [mem42]/' "$T/l02/lab.yaml"
run "$KVMLAB" lab test "$T/l02"
if [ $st = 1 ] && has "^DIFF  solution, changed" && has "rax42 .*failed, not listed as failing: rax is 0x29, not 0x2a" &&
   has "mem42 .*passed, listed as failing" && has "2 of 3 examples as listed"; then
	ok "lab test: an example not as listed is a DIFF with each check, exit 1"
else bad "lab test DIFF (exit $st)"; cat "$T/out"; fi

# ---- an example that does not build: the compiler's messages under its DIFF ------------
cp -r "$LABS/02-modes" "$T/l02g"
sed -i 's/to: "movq \$41, %rax"/to: "movq $41, %rax; garbage"/' "$T/l02g/lab.yaml"
expect 1 "Error: no such instruction: .garbage'" "lab test: a build that fails shows the compiler's messages" \
	"$KVMLAB" lab test "$T/l02g"

# ---- an example of another edition of the course is not graded --------------------------
cp -r "$LABS/04-hypercalls" "$T/l04"
sed -i 's/^edition: 2023$/edition: 2024/' "$T/l04/lab.yaml"
expect 0 "^skip  starter .*(for edition 2023)" "lab test: examples of another edition skipped, exit 0" \
	"$KVMLAB" lab test "$T/l04"

# ---- no tests: block, no KVM ------------------------------------------------------------
cp -r "$LABS/02-modes" "$T/l02n"
sed -i '/^# kvmlab lab test/,$d' "$T/l02n/lab.yaml"
expect 1 "^no examples: give the lab a tests: block" "lab test: a lab without tests: fails, exit 1" \
	"$KVMLAB" lab test "$T/l02n"
expect 3 "/nonexistent does not exist: this machine has no KVM" "lab test without KVM, exit 3" \
	"$KVMLAB" lab test --dev /nonexistent "$LABS/02-modes"

# ---- a missing example folder and a missing README: exit 1, each named ------------------
cp -r "$LABS/02-modes" "$T/l02b"
rm "$T/l02b/README.md"
printf '  - {submission: tests/gone, failing: [output, halted, timeline, final-long, cr0, cr4-pae, efer, cs-64, identity, rax42, mem42, short]}\n' >>"$T/l02b/lab.yaml"
run "$KVMLAB" lab test "$T/l02b"
if [ $st = 1 ] && has "^missing  $T/l02b/README.md (the lab's README)" &&
   has "^missing  $T/l02b/tests/gone (example submission (tests:))" &&
   has "^ok    tests/gone .* 0/50" && has "4 of 4 examples as listed, 3 of 5 files present"; then
	ok "lab test: missing files named, exit 1"
else bad "lab test missing files (exit $st)"; cat "$T/out"; fi

# ---- a substitution that no longer applies, a score that does not add up: lab errors ----
cp -r "$LABS/02-modes" "$T/l02c"
sed -i 's/from: "movq \$42, %rax"/from: "movq $43, %rax"/' "$T/l02c/lab.yaml"
expect 2 'modes.S does not have .movq \$43, %rax.' \
	"lab test: a substitution that does not apply is a lab error, exit 2" "$KVMLAB" lab test "$T/l02c"
cp -r "$LABS/02-modes" "$T/l02d"
sed -i '0,/    score: 47/s//    score: 46/' "$T/l02d/lab.yaml"
SCORE="lab.yaml:[0-9]*:12: score 46 does not match the failing checks: of 50 points, the 1 listed take 3, which leaves 47"
expect 2 "$SCORE" "lab test: a score that does not match its failing checks, exit 2 with file:line:col" \
	"$KVMLAB" lab test "$T/l02d"
expect 2 "$SCORE" "grade: the same lab file is refused, exit 2" \
	"$KVMLAB" grade "$T/l02d" "$LABS/02-modes/solution"

# ---- a reference trace the lab refers to and does not have: a lab error, not a 0 --------
cp -r "$LABS/02-modes" "$T/l02e"
printf '  - id: same\n    points: 0\n    trace_matches: {reference: reference.jsonl}\n' >"$T/check"
sed -i "/^checks:/r $T/check" "$T/l02e/lab.yaml"
REF="check 'same': reference trace 'reference.jsonl' not found in the lab folder"
expect 2 "$REF" "grade: a missing reference trace is a lab error, exit 2" \
	"$KVMLAB" grade "$T/l02e" "$LABS/02-modes/solution"
expect 2 "$REF" "lab test: the same, exit 2" "$KVMLAB" lab test "$T/l02e"

# ---- the lab's headers win: a submission's paging.h, guest.h, kvmlab/lab.h are ignored --
cp -r "$LABS/03-paging/solution" "$T/shadow"
printf '#error the lab'"'"'s paging.h must be used\n' >"$T/shadow/paging.h"
printf '#error kvmlab'"'"'s guest.h must be used\n' >"$T/shadow/guest.h"
run "$KVMLAB" grade 03 "$T/shadow"
if [ $st = 0 ] && has "Total: 50/50 points" &&
   has "# paging.h in the submission is ignored: the lab gives paging.h, and a submission cannot replace it" &&
   has "# guest.h in the submission is ignored: kvmlab gives guest.h"; then
	ok "grade: the lab's headers win over the submission's, said in the build output"
else bad "header shadowing (exit $st)"; cat "$T/out"; fi

# ---- grade --view: what each reader sees -----------------------------------------------
cp -r "$LABS/02-modes" "$T/v02"
python3 - "$T/v02/lab.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("  - id: cr4-pae\n", "  - id: cr4-pae\n    visibility: hidden\n")
s = s.replace("  - id: efer\n", "  - id: efer\n    visibility: after_due_date\n")
open(p, "w").write(s)
PY
S=$T/v02/starter
view() {   # view WHO FORMAT: the report in $T/out
	"$KVMLAB" grade --view "$1" --format "$2" "$T/v02" "$S" >"$T/out" 2>&1
}
view student text
! has "cr4-pae" && ! has "efer" && ! has "CR4.PAE is set" && has "^FAIL  cr0" &&
	has "Hidden checks: 2 (0 passed, 2 not), 0/5 points" && has "Total: 2/50 points" &&
	ok "--view student (text): hidden and after-due checks only as a count" ||
	{ bad "--view student text"; cat "$T/out"; }
view after-due text
! has "cr4-pae" && has "^FAIL  efer .*EFER.LME" && has "hint: .*MSR 0xC0000080" &&
	has "Hidden checks: 1 (0 passed, 1 not), 0/2 points" &&
	ok "--view after-due (text): after_due_date checks in full, hidden ones counted" ||
	{ bad "--view after-due text"; cat "$T/out"; }
view instructor text
has "^FAIL  cr4-pae .*\[hidden\] CR4.PAE is set" && has "^FAIL  efer .*\[after the due date\]" &&
	! has "Hidden checks" &&
	ok "--view instructor (text): every check, marked with its visibility" ||
	{ bad "--view instructor text"; cat "$T/out"; }
# the build folder's name differs from one grading to the next
"$KVMLAB" grade --format text "$T/v02" "$S" 2>&1 | sed 's/kvmlab-grade-[0-9A-Za-z-]*//g' >"$T/default"
view student text
sed -i 's/kvmlab-grade-[0-9A-Za-z-]*//g' "$T/out"
cmp -s "$T/out" "$T/default" && ok "text without --view is the student's view" ||
	{ bad "text default view"; diff "$T/default" "$T/out"; }
view student tap
has "^1\.\.10$" && ! has "cr4-pae" && has "^# not shown (student view): 2 checks, 0/5 points" &&
	ok "--view student (tap): 10 test points of 12, the rest counted" ||
	{ bad "--view student tap"; cat "$T/out"; }
"$KVMLAB" grade --format tap "$T/v02" "$S" >"$T/out" 2>&1
has "^1\.\.12$" && has "cr4-pae" && ok "tap without --view lists every check" ||
	{ bad "tap default view"; cat "$T/out"; }
view after-due junit
has 'tests="11"' && has 'name="efer"' && ! has 'name="cr4-pae"' &&
	has 'name="not_shown" value="1 checks, 0/2 points"' &&
	ok "--view after-due (junit): 11 testcases, the hidden one counted" ||
	{ bad "--view after-due junit"; cat "$T/out"; }
view student gradescope
python3 - "$T/out" <<'PY' && ok "--view student (gradescope): 10 tests, score 2" || { bad "--view student gradescope"; cat "$T/out"; }
import json, sys
d = json.load(open(sys.argv[1]))
names = [t["name"] for t in d["tests"]]
assert len(names) == 10 and d["score"] == 2, (len(names), d["score"])
assert not any(n.startswith(("cr4-pae", "efer")) for n in names)
assert "Hidden checks: 2" in d["output"]
PY
view student classroom
python3 - "$T/out" <<'PY' && ok "--view student (classroom): the withheld checks as one test, points add up" || { bad "--view student classroom"; cat "$T/out"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert sum(t["score"] for t in d["tests"]) == 2 and d["max_score"] == 50
assert d["tests"][-1]["name"] == "hidden checks" and len(d["tests"]) == 11
PY
expect 1 "kvmlab: --view: 'teacher' is not student, after-due or instructor" \
	"--view teacher refused, exit 1" "$KVMLAB" grade --view teacher "$T/v02" "$S"
exit $fail
