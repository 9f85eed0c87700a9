#!/bin/sh
# github.sh KVMLAB LABS_DIR - `kvmlab lab export 04 --github DIR`: the template repository's
# files, its workflow (parsed, with the udev rule, the grading step and Classroom's reporter),
# the shipped source tree configures, and the workflow's grading step run here the way the
# runner runs it ($GITHUB_OUTPUT), read back as the reporter reads it (base64 JSON; the
# points summed as "Points N/M"): the starter, the solution, and a runner without KVM.
set -u
KVMLAB=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
LABS=$2
. "$(dirname "$0")/../labs/lib.sh"
L=$LABS/04-hypercalls
G=$T/template
"$KVMLAB" lab export 04 --github "$G" 2>"$T/err" || { bad "export"; cat "$T/err"; }
for f in guest.c handlers.c README.md .gitignore .kvmlab/grade.sh .kvmlab/lab/lab.yaml \
	.kvmlab/src/meson.build .github/workflows/classroom.yml; do
	[ -f "$G/$f" ] || bad "$f missing"
done
# Of the reference solution only what a lab's own guest is built from (grader_guest) would
# ship; lab 04 has none, so nothing of it does.
shipped=$(cd "$G" && find . -path '*solution*' | sort | tr '\n' ' ')
[ -z "$shipped" ] && ok "the template: starter, README, workflow, lab, source; no solution" || bad "solution shipped: $shipped"
cmp -s "$G/guest.c" "$L/starter/guest.c" && ok "the starter at the top" || bad "starter"
"$KVMLAB" lab export 04 --github "$G" 2>/dev/null; [ $? -eq 3 ] && ok "a folder that is not empty: refused" || bad "overwrite"
python3 - "$G/.github/workflows/classroom.yml" <<'PY' && ok "the workflow: KVM udev rule, grading step, Classroom's reporter" || bad "workflow"
import sys
text = open(sys.argv[1]).read()
try:
    import yaml
    w = yaml.safe_load(text)
    steps = w["jobs"]["run-autograding-tests"]["steps"]
    run = "\n".join(s.get("run", "") for s in steps)
    rep = [s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-grading-reporter")][0]
    assert rep["with"]["runners"] == "kvmlab" and "steps.kvmlab.outputs.result" in rep["env"]["KVMLAB_RESULTS"]
    assert any(s.get("id") == "kvmlab" and "grade.sh" in s.get("run", "") for s in steps)
    assert w["permissions"]["checks"] == "write"
except ImportError:
    run = text
assert 'KERNEL=="kvm", GROUP="kvm", MODE="0666"' in run and "udevadm trigger --name-match=kvm" in run
PY
meson setup "$T/srcbuild" "$G/.kvmlab/src" >"$T/setup.log" 2>&1 && ok "the shipped kvmlab source configures (meson setup)" ||
	{ bad "shipped source"; tail -5 "$T/setup.log"; }

# reporter SUMMARY: the step's output decoded as the reporter does; "status points/max"
reporter() {
	python3 - "$1" <<'PY'
import base64, json, sys
line = [l for l in open(sys.argv[1]) if l.startswith("result=")][-1]
r = json.loads(base64.b64decode(line[len("result="):].strip()).decode())
assert r["version"] == 1 and r["status"] in ("pass", "fail", "error"), r
total = sum(t["score"] for t in r["tests"])
print(f'{r["status"]} Points {total}/{r["max_score"]} ({len(r["tests"])} tests)')
PY
}
(cd "$G" && GITHUB_OUTPUT=$T/out1 KVMLAB=$KVMLAB sh .kvmlab/grade.sh >"$T/log1" 2>&1); rc=$?
r=$(reporter "$T/out1"); echo "starter: $r (exit $rc)"
case "$rc $r" in "0 fail Points "[0-9]*"/50 ("[1-9][0-9]*" tests)") [ "${r#fail Points 50}" = "$r" ] && ok "the starter: fail, below 50 points" || bad "starter $r" ;; *) bad "starter: $rc $r"; cat "$T/log1" ;; esac
cp "$L/solution/"* "$G/"
(cd "$G" && GITHUB_OUTPUT=$T/out2 KVMLAB=$KVMLAB sh .kvmlab/grade.sh >"$T/log2" 2>&1); rc=$?
r=$(reporter "$T/out2"); echo "solution: $r (exit $rc)"
case "$rc $r" in "0 pass Points 50/50 ("[1-9][0-9]*" tests)") ok "the solution: pass, Points 50/50" ;; *) bad "solution: $rc $r"; cat "$T/log2" ;; esac
(cd "$G" && GITHUB_OUTPUT=$T/out3 KVMLAB=$KVMLAB KVM_DEVICE=$T/no-kvm sh .kvmlab/grade.sh >"$T/log3" 2>&1); rc=$?
r=$(reporter "$T/out3"); echo "no KVM: $r (exit $rc)"
[ "$rc $r" = "1 error Points 0/50 (1 tests)" ] && grep -q "no usable" "$G/.kvmlab/result.json" &&
	ok "a runner without KVM: an error worth 0, with the reason" || bad "no kvm: $rc $r"
exit $fail
