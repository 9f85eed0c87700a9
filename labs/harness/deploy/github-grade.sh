#!/bin/sh
# .kvmlab/grade.sh - written by `kvmlab lab export LAB --github DIR`: the grading step of the
# workflow (.github/workflows/classroom.yml), which a student can also run at home.
# Builds kvmlab from .kvmlab/src (unless KVMLAB names a kvmlab), grades this repository
# against .kvmlab/lab and writes GitHub Classroom's result: the runner's JSON (version,
# status, max_score, tests), base64-encoded, as the step's output `result` ($GITHUB_OUTPUT),
# and in .kvmlab/result.json.  When nothing can be graded (kvmlab does not build, no usable
# /dev/kvm) the result is an error with the reason, worth 0 of the lab's points.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
LAB=$HERE/lab
RESULT=$HERE/result.json
MAX=$(sed -n 's/^# points: \([0-9][0-9]*\)$/\1/p' "$HERE/lab.points")

emit() {   # the result to the reporter, whatever it is
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		printf 'result=%s\n' "$(base64 -w0 <"$RESULT")" >>"$GITHUB_OUTPUT"
	fi
}
error() {   # error MESSAGE: nothing could be graded
	msg=$(printf '%s' "$1" | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g')
	printf '{"version": 1, "status": "error", "max_score": %s, "tests": [{"name": "kvmlab", "status": "error", "score": 0, "message": "%s", "line_no": 0, "execution_time": 0}]}\n' \
		"${MAX:-0}" "$msg" >"$RESULT"
	echo "kvmlab: $1" >&2
	emit
	exit 1
}

if [ -z "${KVMLAB:-}" ]; then
	if ! { meson setup "$HERE/build" "$HERE/src" -Dwerror=false >"$HERE/build.log" 2>&1 &&
	       ninja -C "$HERE/build" >>"$HERE/build.log" 2>&1; }; then
		tail -20 "$HERE/build.log" >&2
		error "kvmlab did not build on this runner (see the step's log): nothing was graded"
	fi
	KVMLAB=$HERE/build/kvmlab
fi
KVM_DEVICE=${KVM_DEVICE:-/dev/kvm}
[ -w "$KVM_DEVICE" ] || error "this runner has no usable $KVM_DEVICE (the workflow's 'Enable KVM' step makes it usable on GitHub-hosted Linux runners): nothing was graded"
"$KVMLAB" grade "$LAB" "$REPO" --format text
"$KVMLAB" grade "$LAB" "$REPO" --format classroom -o "$RESULT" 2>"$HERE/grade.err"
st=$?
if [ $st -ne 0 ] && [ $st -ne 6 ]; then
	error "kvmlab could not grade (exit status $st): $(tail -1 "$HERE/grade.err")"
fi
emit
exit 0
