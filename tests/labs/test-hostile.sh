#!/bin/sh
# test-hostile.sh KVMLAB LABS_DIR HOSTILE_DIR - grade the hostile submissions of
# tests/hostile/04 (README.md there) in one batch with the reference solution: none gains
# a point it should not, reads or writes outside its sandbox, outlives its grading or
# changes another's result; then the endings of a single `grade`, a grader killed with
# SIGKILL, no /dev/kvm, and a host that cannot sandbox.
set -u
KVMLAB=$1
LABS=$2
HOSTILE=$3
. "$(dirname "$0")/lib.sh"
L=$LABS/04-hypercalls
B=$T/batch
mkdir -p "$B" "$T/tmp" "$T/reports"
chmod 711 "$T"   # the sandbox uid walks to the build folders under TMPDIR
export TMPDIR="$T/tmp"

# a secret anyone on the host may read: only the sandbox's mount view keeps it out
CANARY=/tmp/kvmlab-hostile-canary-$$
TOKEN=canary-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
echo "$TOKEN" >"$CANARY"
chmod 644 "$CANARY"
SHADOW=$(head -n 1 /etc/shadow 2>/dev/null | cut -d: -f1-2)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T" "$CANARY" /tmp/kvmlab-hostile-pwned; pkill -f kvmlab-hostile-marker 2>/dev/null' EXIT

fill() {   # fill FILE: put the batch and canary paths in for the @BATCH@ and @CANARY@ markers
	sed -i "s|@BATCH@|$B|g; s|@CANARY@|$CANARY|g" "$1"
}

cp -r "$L/solution" "$B/ref"
for h in "$HOSTILE"/*/; do
	name=$(basename "$h")
	base=solution
	grep -q '^base starter' "$h/expect" && base=starter
	cp -r "$L/$base" "$B/$name"
	S=$B/$name
	[ -f "$h/handlers.c" ] && cp "$h/handlers.c" "$S/handlers.c"
	[ -f "$h/handlers.append.c" ] && cat "$h/handlers.append.c" >>"$S/handlers.c"
	if [ -f "$h/handlers.c.sed" ]; then
		cp "$h/handlers.c.sed" "$T/sed"; fill "$T/sed"; sed -i -f "$T/sed" "$S/handlers.c"
	fi
	if [ -f "$h/guest-extra.h" ]; then
		cat "$h/guest-extra.h" "$S/guest.c" >"$T/g" && mv "$T/g" "$S/guest.c"
	fi
	if [ -f "$h/guest.c.symlink" ]; then
		rm "$S/guest.c"; cp "$h/guest.c.symlink" "$T/l"; fill "$T/l"; ln -s "$(cat "$T/l")" "$S/guest.c"
	fi
	for f in "$S"/*.c; do [ -L "$f" ] || fill "$f"; done
done
REF_SUM=$(cat "$B/ref/guest.c" "$B/ref/handlers.c" | cksum)
n=$(ls "$B" | wc -l)

"$KVMLAB" grade "$L" --batch "$B" -j 2 --timeout 60 --csv "$T/grades.csv" --json "$T/grades.json" \
	-o "$T/reports" >"$T/progress" 2>&1
rc=$?
CSV_SUM=$(cksum <"$T/grades.csv")
if [ $rc -eq 6 ] && [ "$(grep -c '^"' "$T/grades.csv")" -eq "$n" ] && grep -q "^\[$n/$n\]" "$T/progress"; then
	ok "the batch of $n graded to its end"
else bad "batch: exit $rc"; cat "$T/progress"; fi
grep -q '^"ref",50,50,ok' "$T/grades.csv" && ok "ref: full marks in the same batch" ||
	{ bad "ref"; grep '^"ref"' "$T/grades.csv"; }
[ "$(cat "$B/ref/guest.c" "$B/ref/handlers.c" | cksum)" = "$REF_SUM" ] && ok "ref's files untouched" ||
	bad "ref's files were changed"

for h in "$HOSTILE"/*/; do
	name=$(basename "$h")
	line=$(grep "^\"$name\"," "$T/grades.csv")
	score=$(echo "$line" | cut -d, -f2)
	max=$(sed -n 's/^max //p' "$h/expect")
	reason=$(sed -n 's/^reason //p' "$h/expect")
	if [ -n "$score" ] && [ "$score" -le "$max" ] && { [ -z "$reason" ] || echo "$line" | grep -Eq "$reason"; }; then
		ok "$name: $score points (at most $max)${reason:+, says '$reason'}"
	else bad "$name: expected at most $max${reason:+ and '$reason'}: $line"; fi
	# every report is a full report
	[ -s "$T/reports/$name.txt" ] && grep -q '^Total: ' "$T/reports/$name.txt" ||
		bad "$name: no full report"
done

# nothing read outside a sandbox reached the grader's outputs
if grep -rq "$TOKEN" "$T/grades.csv" "$T/grades.json" "$T/reports" "$T/progress"; then
	bad "the canary reached the reports"; grep -rl "$TOKEN" "$T"
else ok "the canary appears in no report, CSV, JSON or log"; fi
if [ -n "$SHADOW" ] && grep -rqF "$SHADOW" "$T/grades.csv" "$T/grades.json" "$T/reports" "$T/progress"; then
	bad "/etc/shadow reached the reports"
else ok "/etc/shadow appears in no report"; fi
# nothing written outside a sandbox
if [ -e /tmp/kvmlab-hostile-pwned ] || [ -e "$B/pwned" ] || [ -e /etc/kvmlab-pwned ] || [ -e /root/kvmlab-pwned ]; then
	bad "a submission wrote outside its sandbox"
else ok "no file written outside a sandbox"; fi
# nothing outlives its grading, nothing rewrites the results afterwards
sleep 4
if pgrep -f kvmlab-hostile-marker >/dev/null; then bad "a process outlived its grading"; pgrep -af kvmlab-hostile-marker
else ok "no process outlived its grading"; fi
[ "$(cksum <"$T/grades.csv")" = "$CSV_SUM" ] && ok "grades.csv unchanged after the batch" ||
	bad "grades.csv was rewritten"
# temporary folders are gone
[ -z "$(ls "$T/tmp")" ] && ok "no temporary folder left" || { bad "left in TMPDIR"; ls "$T/tmp"; }

# a single grade: a hang in a handler ends with a full report, in every format
start=$(date +%s)
"$KVMLAB" grade "$L" "$B/loop" --format gradescope -o "$T/loop.json" >"$T/out" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc -eq 6 ] && [ "$took" -lt 20 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tests"] and all("output" in t for t in d["tests"])
assert any("did not return within" in t["output"] for t in d["tests"]), d
' "$T/loop.json"; then ok "single grade of a hanging handler: exit 6 in ${took}s, full Gradescope JSON"
else bad "single grade of a hanging handler: exit $rc in ${took}s"; cat "$T/out"; fi
for fmt in text tap junit; do
	"$KVMLAB" grade "$L" "$B/exit0" --format $fmt -o "$T/exit0.$fmt" >/dev/null 2>&1
	[ -s "$T/exit0.$fmt" ] && grep -q "exit status 0" "$T/exit0.$fmt" && ok "exit(0) in a handler: $fmt report says so" ||
		bad "exit(0) in a handler: $fmt"
done

# a grader killed with SIGKILL: its temporary folder is swept by the next grading
mkdir -p "$T/tmp2"
TMPDIR="$T/tmp2" "$KVMLAB" grade "$L" "$B/loop" >/dev/null 2>&1 &
gpid=$!
sleep 1
kill -KILL $gpid
wait $gpid 2>/dev/null
left=$(ls "$T/tmp2")
TMPDIR="$T/tmp2" "$KVMLAB" grade "$L" "$B/ref" >/dev/null 2>&1
if [ -n "$left" ] && [ -z "$(ls "$T/tmp2")" ]; then ok "a killed grader's folder ($left) is swept by the next"
else bad "sweep: left '$left', now '$(ls "$T/tmp2")'"; fi

# no /dev/kvm: every check says why, exit 3, never a 0-byte file
"$KVMLAB" grade "$L" "$B/ref" --dev /nonexistent/kvm --format gradescope -o "$T/nokvm.json" >/dev/null 2>&1
rc=$?
if [ $rc -eq 3 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["tests"]) >= 16 and all("/nonexistent/kvm" in t["output"] for t in d["tests"]), d
' "$T/nokvm.json"; then ok "no KVM: exit 3 and a full Gradescope report"
else bad "no KVM: exit $rc"; cat "$T/nokvm.json"; fi

# a host that refuses namespaces (bwrap's own message, from a stand-in): refused unless --no-sandbox
mkdir -p "$T/fakebin"
printf '#!/bin/sh\necho "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n' >"$T/fakebin/bwrap"
chmod +x "$T/fakebin/bwrap"
PATH="$T/fakebin:$PATH" "$KVMLAB" grade "$L" "$B/ref" -o "$T/nosb.txt" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -eq 3 ] && grep -q "cannot sandbox student code (bwrap: No permissions" "$T/err" &&
   grep -q -- "--no-sandbox grades trusted code without one$" "$T/err" && grep -q "^Total: 0/50" "$T/nosb.txt"; then
	ok "no namespaces: grading refused (exit 3), with a full report"
else bad "no namespaces: exit $rc"; cat "$T/err"; fi
PATH="$T/fakebin:$PATH" "$KVMLAB" probe 2>&1 | grep -q "^sandbox for student code: no (bwrap: No permissions" &&
	"$KVMLAB" probe 2>&1 | grep -q "^sandbox for student code (bubblewrap, user namespaces, seccomp): yes" &&
	ok "kvmlab probe says whether this host can sandbox" || bad "kvmlab probe: the sandbox line"
PATH="$T/fakebin:$PATH" "$KVMLAB" grade "$L" --batch "$B" --csv "$T/nosb.csv" >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 3 ] && [ ! -e "$T/nosb.csv" ] && ok "no namespaces: a batch is refused before it starts" ||
	bad "no namespaces, batch: exit $rc"
PATH="$T/fakebin:$PATH" "$KVMLAB" grade "$L" "$B/ref" --no-sandbox >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "^Total: 50/50" "$T/out" && ok "--no-sandbox grades there" ||
	{ bad "--no-sandbox: exit $rc"; cat "$T/out"; }
exit $fail
