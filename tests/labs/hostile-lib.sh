# hostile-lib.sh - what the hostile-submission tests share (test-hostile.sh for lab 04's
# handlers, test-hostile-program.sh for the program labs' own hypervisors).  Sourced after
# lib.sh: a canary anyone on the host may read, the markers of the hostile files, and the
# checks that nothing a submission did got out of its sandbox.

# a secret anyone on the host may read: only the sandbox's mount view keeps it out
CANARY=/tmp/kvmlab-hostile-canary-$$
TOKEN=canary-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
echo "$TOKEN" >"$CANARY"
chmod 644 "$CANARY"
SHADOW=$(head -n 1 /etc/shadow 2>/dev/null | cut -d: -f1-2)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T" "$CANARY" /tmp/kvmlab-hostile-pwned; pkill -f kvmlab-hostile-marker 2>/dev/null' EXIT

# hostile_fill FILE BATCH OUT: the markers in a hostile file: @BATCH@ the batch folder,
# @CANARY@ the secret, @OUT@ the folder of the grader's results, @LABS@ the labs
hostile_fill() {
	sed -i "s|@BATCH@|$2|g; s|@CANARY@|$CANARY|g; s|@OUT@|$3|g; s|@LABS@|$LABS|g" "$1"
}

# hostile_batch LAB_DIR BATCH OUT TIMEOUT TOTAL: grade the batch with -j 2 (results in OUT:
# grades.csv, grades.json, reports/, progress); it must end with every submission graded
# (exit 0 or 6) and the unchanged solution `ref` at TOTAL points
hostile_batch() {
	n=$(ls "$2" | wc -l)
	"$KVMLAB" grade "$1" --batch "$2" -j 2 --timeout "$4" --csv "$3/grades.csv" \
		--json "$3/grades.json" -o "$3/reports" >"$3/progress" 2>&1
	rc=$?
	if { [ $rc -eq 0 ] || [ $rc -eq 6 ]; } && [ "$(grep -c '^"' "$3/grades.csv")" -eq "$n" ] && grep -q "^\[$n/$n\]" "$3/progress"; then
		ok "$(basename "$1"): the batch of $n graded to its end"
	else bad "$(basename "$1"): batch: exit $rc"; cat "$3/progress"; fi
	grep -q "^\"ref\",$5,$5,ok" "$3/grades.csv" && ok "$(basename "$1"): ref: full marks in the same batch" ||
		{ bad "$(basename "$1"): ref"; grep '^"ref"' "$3/grades.csv"; }
}

# hostile_expect NAME LINE EXPECT: the batch's CSV line of submission NAME against its
# expect file ("min N", "max N", "reason REGEX")
hostile_expect() {
	score=$(echo "$2" | cut -d, -f2)
	min=$(sed -n 's/^min //p' "$3")
	max=$(sed -n 's/^max //p' "$3")
	reason=$(sed -n 's/^reason //p' "$3")
	if [ -n "$score" ] && [ "$score" -le "$max" ] && [ "$score" -ge "${min:-0}" ] &&
	   { [ -z "$reason" ] || echo "$2" | grep -Eq "$reason"; }; then
		ok "$1: $score points (${min:+at least $min, }at most $max)${reason:+, says '$reason'}"
	else bad "$1: expected ${min:+at least $min, }at most $max${reason:+ and '$reason'}: $2"; fi
}

# hostile_no_escape OUT BATCH: after a batch whose results are OUT/grades.csv, .json,
# reports/ and progress: no secret reached them, nothing was written outside a sandbox,
# nothing outlived its grading or rewrote the results, no temporary folder is left in TMPDIR
hostile_no_escape() {
	sum=$(cksum <"$1/grades.csv")
	if grep -rq "$TOKEN" "$1/grades.csv" "$1/grades.json" "$1/reports" "$1/progress"; then
		bad "the canary reached the reports"; grep -rl "$TOKEN" "$1"
	else ok "the canary appears in no report, CSV, JSON or log"; fi
	if [ -n "$SHADOW" ] && grep -rqF "$SHADOW" "$1/grades.csv" "$1/grades.json" "$1/reports" "$1/progress"; then
		bad "/etc/shadow reached the reports"
	else ok "/etc/shadow appears in no report"; fi
	if [ -e /tmp/kvmlab-hostile-pwned ] || [ -e "$2/pwned" ] || [ -e /etc/kvmlab-pwned ] ||
	   [ -e /root/kvmlab-pwned ] || [ -e "$1/pwned" ]; then
		bad "a submission wrote outside its sandbox"
	else ok "no file written outside a sandbox"; fi
	sleep 4
	if pgrep -f kvmlab-hostile-marker >/dev/null; then bad "a process outlived its grading"; pgrep -af kvmlab-hostile-marker
	else ok "no process outlived its grading"; fi
	[ "$(cksum <"$1/grades.csv")" = "$sum" ] && ok "grades.csv unchanged after the batch" ||
		bad "grades.csv was rewritten"
	[ -z "$(ls "$TMPDIR")" ] && ok "no temporary folder left" || { bad "left in TMPDIR"; ls "$TMPDIR"; }
}
