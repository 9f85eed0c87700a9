#!/bin/sh
# test-checks.sh KVMLAB - the instructor's check kinds on real KVM, with tests/labs/checks:
#  - exits by port, direction and size (and a hypercall's port) counted as KVM reported them;
#  - writes_within: a correct guest passes; one whose GDT descriptor has the accessed bit
#    clear fails at the byte the CPU wrote, named as the descriptor's accessed bit; one that
#    stores outside fails at the first byte it changed, with the bytes before and after;
#    in long mode the accessed bits the CPU sets in the VMM's page tables are named; a traced
#    (single-stepped) run gives the same verdicts;
#  - timeout_ms: a check fails when its run took longer, and says how long;
#  - script: the judge's points, partial points, and every way a script can fail (crash,
#    hang, junk, too many points, an unknown key, a pass with partial points, too much
#    memory) as a lab error with no points and exit status 2; what the sandbox refuses it.
set -u
KVMLAB=$1
. "$(dirname "$0")/lib.sh"
L=$(cd "$(dirname "$0")/checks" && pwd)
chmod 755 "$T"   # the script's sandbox runs as a uid of its own: it must reach the copies

grade() {   # grade LAB SUB: the report in $T/out, the status in $rc, stderr in $T/err
	"$KVMLAB" grade "$1" "$2" >"$T/out" 2>"$T/err"
	rc=$?
}
line() {   # line CHECK: the report's line of that check, and the lines under it
	sed -n "/^[A-Z]*  $1 /,/^[A-Z]*  [a-z]/p" "$T/out"
}

grade "$L" "$L/sub-good"
[ $rc -eq 0 ] && grep -q "Total: 13/13 points" "$T/out" && ok "a correct guest: full marks" ||
	{ bad "good guest: exit $rc"; cat "$T/out" "$T/err"; }
for c in console-bytes word-out byte-in no-word-in dwords print32-out io-total; do
	grep -q "^PASS  $c " "$T/out" || bad "exits check $c"
done
ok "exits by port, direction, size and hypercall"

grade "$L" "$L/sub-gdt"
if [ $rc -eq 6 ] && grep -q "Total: 11/13 points" "$T/out" &&
   line writes | grep -q "changed guest physical 0x[0-9a-f]*d, outside the ranges: bytes from there were 92 cf 00 [0-9a-f ]*, are 93 cf 00" &&
   line writes | grep -q "it is GDT descriptor 2 (selector 0x10), byte 5" &&
   line writes | grep -q "the CPU set the descriptor's accessed bit (bit 40)" &&
   line writes | grep -q "actual:   1 of [0-9]* changed bytes outside"; then
	ok "the CPU's write of a descriptor's accessed bit fails writes_within, named"
else bad "gdt guest: exit $rc"; cat "$T/out"; fi

grade "$L" "$L/sub-outside"
if [ $rc -eq 6 ] && line writes | grep -q "changed guest physical 0x[0-9a-f]*4, outside the ranges: bytes from there were 5a 5a 5a 5a [0-9a-f ]*, are ef be ad de" &&
   line writes | grep -q "4 of [0-9]* changed bytes outside" && ! line writes | grep -q GDT &&
   line script | grep -q "FAIL  script  *1/3" && line script | grep -q "the word after it is 0xdeadbeef"; then
	ok "a store outside fails writes_within at its first byte; the script gives 1 of 3 points"
else bad "outside guest: exit $rc"; cat "$T/out"; fi

# timeout_ms: a run of 100,000 iterations takes more than 1 ms even on an idle machine
cp -r "$L" "$T/slow"
sed -i 's/timeout_ms: 60000/timeout_ms: 1/' "$T/slow/lab.yaml"
grade "$T/slow" "$L/sub-slow"
if [ $rc -eq 6 ] && line in-time | grep -q "the run took [0-9]* ms; this check allows 1 ms (timeout_ms)" &&
   grep -q "^PASS  writes " "$T/out"; then ok "timeout_ms: a slow run fails that check, with its time"
else bad "timeout_ms: exit $rc"; cat "$T/out"; fi

# a traced lab (an instructions check makes the grader single-step): the same verdicts
cp -r "$L" "$T/traced"
printf '  - {id: steps, points: 1, instructions: {min: 10, max: 100}}\n' >>"$T/traced/lab.yaml"
grade "$T/traced" "$L/sub-good"
[ $rc -eq 0 ] && grep -q "Total: 14/14 points" "$T/out" && ok "traced: a correct guest passes writes_within" ||
	{ bad "traced good guest: exit $rc"; cat "$T/out"; }
grade "$T/traced" "$L/sub-gdt"
[ $rc -eq 6 ] && line writes | grep -q "GDT descriptor 2 (selector 0x10), byte 5" &&
	ok "traced: the descriptor's accessed bit is found the same way" ||
	{ bad "traced gdt guest: exit $rc"; cat "$T/out"; }

# long mode: the VMM's page tables lack accessed bits; the CPU sets them on the first walk
cp -r "$L" "$T/long"
sed -i 's/^mode: protected/mode: long/; /id: script/d; /lab_sources/d' "$T/long/lab.yaml"
mkdir "$T/long/sub"
printf '\t.code64\n\t.globl _start\n_start:\n\tmovl $42, result(%%rip)\n\thlt\n\t.data\nresult:\t.long 0\n' >"$T/long/sub/guest.S"
grade "$T/long" "$T/long/sub"
if line writes | grep -q "it is PML4 entry 0 of the table at 0x[0-9a-f]* (byte 0; the tables the final CR3 0x[0-9a-f]* names): the CPU set its accessed bit (bit 5)"; then
	ok "long mode: the accessed bits the CPU sets in the page tables are named"
else bad "long mode A bits"; cat "$T/out"; fi

# scripts that fail: each a lab error, no points, exit status 2 with the reason
script_case() {   # script_case NAME EXPECTED-TEXT SCRIPT-BODY [TIMEOUT]
	rm -rf "$T/s"; cp -r "$L" "$T/s"
	printf '%s\n' "$3" >"$T/s/judge.py"
	[ $# -ge 4 ] && sed -i "s/- {id: script, points: 3,/- {id: script, points: 3, timeout_ms: $4,/" "$T/s/lab.yaml"
	grade "$T/s" "$L/sub-good"
	if [ $rc -eq 2 ] && line script | grep -q "FAIL  script  *0/3" &&
	   line script | grep -q "lab error: the check's script judge.py $2" &&
	   grep -q "kvmlab: the lab failed while grading: check 'script': lab error: .*$2" "$T/err" &&
	   grep -q "Total: 10/13 points" "$T/out"; then ok "script that $1: a lab error, no points"
	else bad "script that $1: exit $rc"; cat "$T/out" "$T/err"; fi
}
script_case "crashes" "ended with killed by signal 11 (Segmentation fault)" \
	'#!/bin/sh
kill -SEGV $$'
script_case "fails with an error" 'ended with exit status 1: "Traceback' \
	'#!/usr/bin/python3
raise SystemExit(open("/nonexistent").read())'
script_case "hangs" "did not answer within 500 ms (timeout_ms)" \
	'#!/bin/sh
cat >/dev/null; while :; do :; done' 500
script_case "prints junk" 'did not answer one JSON object .* it wrote "all good' \
	'#!/bin/sh
echo "all good, 3 points"'
script_case "claims too many points" "claimed 99 points; the check has 3" \
	'#!/bin/sh
echo "{\"pass\": false, \"points\": 99}"'
script_case "answers an unknown key" "answered an unknown key 'score'" \
	'#!/bin/sh
echo "{\"pass\": true, \"score\": 3}"'
script_case "passes with partial points" "passed the check with 2 of its 3 points" \
	'#!/bin/sh
echo "{\"pass\": true, \"points\": 2}"'
script_case "answers twice" "did not answer one JSON object" \
	'#!/bin/sh
echo "{\"pass\": true} {\"pass\": true}"'
script_case "takes too much memory" "ended with" \
	'#!/usr/bin/python3
x = bytearray(2 << 30)
print("{\"pass\": true}")'

# the sandbox: no network, the lab folder read-only, nothing of the submission
rm -rf "$T/s"; cp -r "$L" "$T/s"
cat >"$T/s/judge.py" <<PY
#!/usr/bin/python3
import json, os, socket, sys
json.load(sys.stdin)
seen = []
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1); seen.append("network")
except OSError:
    pass
try:
    open("$T/s/written", "w").write("x"); seen.append("wrote the lab folder")
except OSError:
    pass
for p in ("$L/sub-good/guest.S", "$T/s/lab.yaml"):
    try:
        open(p).read(); seen.append("read " + p)
    except OSError:
        pass
ok = seen == ["read $T/s/lab.yaml"]
print(json.dumps({"pass": ok, "message": "; ".join(seen)}))
PY
grade "$T/s" "$L/sub-good"
if [ $rc -eq 0 ] && [ ! -e "$T/s/written" ]; then
	ok "the script saw no network, could not write the lab folder, could not read the submission"
else bad "sandbox: exit $rc"; cat "$T/out"; fi
exit $fail
