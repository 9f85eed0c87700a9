#!/bin/sh
# test-grade.sh KVMLAB LABS_DIR - grade the labs' solutions and starters, a batch of
# misbehaving submissions, and the report formats with their consumers.
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/lib.sh"

for lab in "$LABS"/[0-9][0-9]-*/; do
	name=$(basename "$lab")
	[ -f "$lab/lab.yaml" ] || continue
	# lab 01's submission is the student's own clone plus answers: its solution is the answers
	# alone (tests/labs/test-lab01.sh grades them with a program)
	if grep -q '^program:' "$lab/lab.yaml" && [ ! -f "$lab/solution/Makefile" ]; then continue; fi
	"$KVMLAB" grade "$lab" "$lab/solution" >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then ok "$name solution: full marks"; else bad "$name solution: exit $rc"; cat "$T/out"; fi
	"$KVMLAB" grade "$lab" "$lab/starter" >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 6 ] && grep -q "hint:" "$T/out"; then ok "$name starter: fails with hints"
	else bad "$name starter: exit $rc"; cat "$T/out"; fi
done

# a batch: good, starter, crashing handler, hanging handler, flooding handler, not compiling
# (the flood fills the 1 MiB cap within the time limit, or on a loaded machine, under the
# sanitizers, runs into the limit first: either way it ends with its reason)
L=$LABS/04-hypercalls
B=$T/batch; mkdir -p "$B"
for s in good crash hang flood nocompile; do cp -r "$L/solution" "$B/$s"; done
cp -r "$L/starter" "$B/starter"
sed -i 's|lab_print(ctx, "%" PRIu32 "\\n", value);|*(volatile int *)0 = 1;|' "$B/crash/handlers.c"
sed -i 's|lab_print(ctx, "%" PRIu32 "\\n", value);|for (;;) ;|' "$B/hang/handlers.c"
sed -i 's|lab_print(ctx, "%" PRIu32 "\\n", value);|for (;;) lab_print(ctx, "flood flood flood flood\\n");|' "$B/flood/handlers.c"
sed -i 's|outl(HC_PRINT32, val);|outl(HC_PRINT32, val) not C;|' "$B/nocompile/guest.c"
"$KVMLAB" grade "$L" --batch "$B" -j 2 --timeout 30 --csv "$T/b.csv" --json "$T/b.json" 2>"$T/progress"
rc=$?
cat "$T/progress"
if [ $rc -eq 6 ] && [ "$(wc -l <"$T/b.csv")" -eq 7 ] &&
   grep -q '^"good",50,50,ok' "$T/b.csv" &&
   grep -q '^"hang",10,50,error,.*lab_print32 did not return within the lab.s time limit (2000 ms)' "$T/b.csv" &&
   grep -Eq '^"flood",10,50,error,.*(output truncated at 1048576 bytes|lab_print32 did not return within)' "$T/b.csv" &&
   grep -q '^"nocompile",0,50,error' "$T/b.csv" &&
   grep -q '^"crash",.*signal 11' "$T/b.csv" && grep -q '^\[6/6\]' "$T/progress"; then
	ok "batch graded completely"
else bad "batch (exit $rc)"; cat "$T/b.csv"; fi
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["count"]==6 and len(d["submissions"])==6' "$T/b.json" \
	&& ok "batch JSON" || bad "batch JSON"
# shards 1/2 and 2/2 together cover the batch once
"$KVMLAB" grade "$L" --batch "$B" -j 2 --timeout 30 --shard 1/2 --csv "$T/s1.csv" 2>/dev/null
"$KVMLAB" grade "$L" --batch "$B" -j 2 --timeout 30 --shard 2/2 --csv "$T/s2.csv" 2>/dev/null
[ "$(cat "$T/s1.csv" "$T/s2.csv" | grep -vc '^submission')" -eq 6 ] && ok "shards" || bad "shards"

# numExitsByType with a buffer across the end of memory: refused, and nothing written
P=$(dirname "$0")/partial-write
"$KVMLAB" grade "$P" "$P/sub" >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "PASS  untouched" "$T/out" && ok "a refused guest write leaves memory untouched" ||
	{ bad "partial write: exit $rc"; cat "$T/out"; }

# a lab in paged32 mode: where the host cannot run it, the host's limit (exit 3), never a
# triple fault charged to the submission; where it can, full marks
P=$(dirname "$0")/paged32
"$KVMLAB" grade "$P" "$P/sub" >"$T/out" 2>&1
rc=$?
if "$KVMLAB" probe 2>/dev/null | grep -Eq '^ *no +paged32'; then
	[ $rc -eq 3 ] && grep -q "paged32 mode cannot run here" "$T/out" && ! grep -qi "triple" "$T/out" &&
		ok "paged32 lab on a host without 32-bit paging: exit 3, the host's limit" ||
		{ bad "paged32 lab: exit $rc"; cat "$T/out"; }
else
	[ $rc -eq 0 ] && ok "paged32 lab: full marks" || { bad "paged32 lab: exit $rc"; cat "$T/out"; }
fi

# lab show with a bare lab.yaml, from inside the lab folder (a path without a '/')
KABS=$(cd "$(dirname "$KVMLAB")" && pwd)/$(basename "$KVMLAB")
(cd "$L" && "$KABS" lab show lab.yaml) >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "^# Lab 04" "$T/out" && ok "lab show lab.yaml inside the lab folder" ||
	{ bad "lab show lab.yaml: exit $rc"; head -3 "$T/out"; }

# the lab's own guest under the student's handlers (grader_guest:, run: grader_guest), on a
# copy of lab 04 with tests/labs/grader-guest's guest and checks: the solution gets them
# all, handlers that print a transcript whatever the guest does get none of them
G=$T/gg
cp -r "$L" "$G"
cp "$(dirname "$0")/grader-guest/grader.c" "$G/"
# the checks go at the end of the checks: list; of the lab's tests: block (its scores are
# those of 50 points) the copy keeps the solution, which gets all 58
awk -v f="$(dirname "$0")/grader-guest/checks.yaml" '
	function checks(l) { while ((getline l < f) > 0) print l; done = 1 }
	/^tests:/ { checks(); print "tests:\n  - {submission: solution}"; exit } { print }
	END { if (!done) checks() }' "$L/lab.yaml" >"$G/lab.yaml"
sed -i 's/^points: 50$/points: 58/; s/^checks:$/grader_guest: [start.S, grader.c, solution\/guest.c]\nchecks:/' "$G/lab.yaml"
"$KVMLAB" grade "$G" "$G/solution" >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "PASS  handlers-numExitsByType" "$T/out" && grep -q "^Total: 58/58" "$T/out" &&
	ok "grader_guest: the solution's handlers pass on the grader's own guest" ||
	{ bad "grader_guest, solution: exit $rc"; cat "$T/out"; }
if "$KVMLAB" lab test "$G" >"$T/out" 2>&1; then
	ok "grader_guest: kvmlab lab test passes (the solution, now worth 58 points)"
else bad "grader_guest, lab test"; cat "$T/out"; fi
cp -r "$G/solution" "$T/forger"
cp "$(dirname "$0")/../hostile/04/transcript/handlers.c" "$T/forger/handlers.c"
"$KVMLAB" grade "$G" "$T/forger" >"$T/out" 2>&1
[ "$(grep -c '^FAIL  handlers-' "$T/out")" -eq 4 ] &&
	ok "grader_guest: handlers that print a transcript fail all four" ||
	{ bad "grader_guest, forger"; cat "$T/out"; }
# Exported, the lab keeps what its own guest is built from (solution/guest.c) and no more
# of the solution, and the exported copy still loads.
"$KVMLAB" lab export "$G" --github "$T/ggh" 2>"$T/out"
shipped=$(cd "$T/ggh" && find . -path '*solution*' -type f | sort | tr '\n' ' ')
[ "$shipped" = "./.kvmlab/lab/solution/guest.c " ] && "$KVMLAB" lab show "$T/ggh/.kvmlab/lab" >/dev/null 2>&1 &&
	ok "grader_guest: export ships solution/guest.c and nothing else of the solution" ||
	{ bad "grader_guest, export: $shipped"; cat "$T/out"; }

# formats and their consumers
"$KVMLAB" grade "$L" "$L/starter" --format tap13 >"$T/r.tap"
if command -v prove >/dev/null; then
	prove -e cat "$T/r.tap" >"$T/prove" 2>&1
	grep -q "Parse errors" "$T/prove" && { bad "prove parse errors"; cat "$T/prove"; } || ok "prove reads tap13"
fi
"$KVMLAB" grade "$L" "$L/solution" --format gradescope -o "$T/results.json"
python3 - "$T/results.json" <<'PY' && ok "gradescope JSON" || bad "gradescope JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["score"] == 50 and isinstance(d["execution_time"], (int, float))
for t in d["tests"]:
    assert {"name", "score", "max_score", "status", "visibility"} <= set(t), t
    assert t["status"] in ("passed", "failed")
PY
"$KVMLAB" grade "$L" "$L/solution" --format junit >"$T/r.xml" && python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/r.xml" && ok "junit XML" || bad "junit"

# a bad lab file: one message with file:line:column, exit 2
mkdir -p "$T/badlab"; cp "$L"/*.S "$L"/*.c "$L"/*.h "$T/badlab/"
sed 's/^points: 50/pionts: 50/' "$L/lab.yaml" >"$T/badlab/lab.yaml"
"$KVMLAB" grade "$T/badlab" "$L/solution" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -eq 2 ] && grep -Eq "lab.yaml:[0-9]+:[0-9]+: unknown key 'pionts'" "$T/err"; then ok "bad lab file"
else bad "bad lab file (exit $rc)"; cat "$T/err"; fi

# a report or summary that cannot be written is an error (exit 1), not full marks
if [ -w /dev/full ]; then
	"$KVMLAB" grade "$L" "$L/solution" -o /dev/full >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "kvmlab: /dev/full: writing the report: No space left on device" "$T/err"
	then ok "grade -o /dev/full"; else bad "grade -o /dev/full (exit $rc)"; cat "$T/err"; fi
	"$KVMLAB" grade "$L" "$L/solution" >/dev/full 2>"$T/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "kvmlab: standard output: writing the report: No space" "$T/err"
	then ok "grade >/dev/full"; else bad "grade >/dev/full (exit $rc)"; cat "$T/err"; fi
	mkdir -p "$T/one" "$T/reports/good.txt"; cp -r "$L/solution" "$T/one/good"
	"$KVMLAB" grade "$L" --batch "$T/one" -o "$T/reports" --csv "$T/one.csv" --json /dev/full 2>"$T/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q '^"good",50,50,report_error,".*good.txt: Is a directory"' "$T/one.csv" &&
	   grep -q "kvmlab: -o $T/reports: 1 of the reports could not be written" "$T/err" &&
	   grep -q "kvmlab: --json /dev/full: writing failed: No space left on device" "$T/err"
	then ok "batch reports and summaries that cannot be written"
	else bad "batch write failures (exit $rc)"; cat "$T/err" "$T/one.csv"; fi
fi

"$KVMLAB" lab list >"$T/list" && grep -q 04-hypercalls "$T/list" && ok "lab list" || bad "lab list"
"$KVMLAB" lab run 04 "$L/solution" >"$T/run" 2>&1 && grep -q "CS 695" "$T/run" && ok "lab run" || bad "lab run"
exit $fail
