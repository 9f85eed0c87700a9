#!/bin/sh
# gradescope.sh KVMLAB LABS_DIR - `kvmlab lab export 04 --gradescope`: the zip's layout, and
# its run_autograder run against a fake /autograder root (AUTOGRADER_ROOT): with KVM (graded
# by kvmlab in the container), without KVM (sent to a local `kvmlab serve`), without KVM and
# without a service, and with the service down: results.json is always valid and says why.
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/lib.sh"
L=$LABS/04-hypercalls
command -v unzip >/dev/null || { echo "SKIP: unzip is not installed"; exit 77; }
serve_start -j 2
printf '%s\n' "$TOKEN" >"$T/token"

# root NAME ZIP SUBMISSION: a fake /autograder with the zip in source/ and a submission
root() {
	rm -rf "$T/$1"; mkdir -p "$T/$1/source" "$T/$1/submission"
	(cd "$T/$1/source" && unzip -q "$2")
	cp -r "$3/." "$T/$1/submission/"
	printf '{"id": 4242, "users": [{"email": "ada@example.edu", "name": "Ada", "sid": "%s"}]}\n' "$1" \
		>"$T/$1/submission_metadata.json"
}
results() { python3 - "$T/$1/results/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["score"], "|", d.get("output", "")[:300].replace("\n", " "), "|", len(d.get("tests", [])))
PY
}

"$KVMLAB" lab export 04 --gradescope "$T/gs.zip" --service "$URL/" --token-file "$T/token" 2>"$T/export.err" ||
	{ bad "export"; cat "$T/export.err"; }
unzip -l "$T/gs.zip" >"$T/list"
grep -q ' setup.sh$' "$T/list" && grep -q ' run_autograder$' "$T/list" && grep -q ' lab/lab.yaml$' "$T/list" &&
	grep -q ' kvmlab-src/vmm/meson.build$' "$T/list" &&
	! grep -q 'solution' "$T/list" &&
	ok "the zip: setup.sh, run_autograder, the lab, kvmlab's source, no solution" || { bad "zip layout"; head -20 "$T/list"; }
unzip -Z "$T/gs.zip" run_autograder setup.sh | grep -c '^-rwx' | grep -q 2 && ok "the scripts are executable" || bad "modes"
unzip -p "$T/gs.zip" run_autograder | sh -n && unzip -p "$T/gs.zip" setup.sh | sh -n &&
	ok "the scripts parse (sh -n)" || bad "sh -n"

# 1. the container has KVM and kvmlab: graded here
root kvm1 "$T/gs.zip" "$L/solution"
AUTOGRADER_ROOT=$T/kvm1 KVMLAB=$KVMLAB sh "$T/kvm1/source/run_autograder"
r=$(results kvm1); echo "$r"
case $r in "50 |"*) ok "with KVM: graded in the container, 50/50" ;; *) bad "with KVM: $r" ;; esac
[ "$(curl -s "$URL/api/v1/health" | json done)" = 0 ] && ok "with KVM: the service was not used" || bad "service used"

# 2. no KVM: the service grades it
root nokvm2 "$T/gs.zip" "$L/solution"
AUTOGRADER_ROOT=$T/nokvm2 KVM_DEVICE=$T/no-such-kvm KVMLAB=$KVMLAB sh "$T/nokvm2/source/run_autograder"
r=$(results nokvm2); echo "$r"
case $r in "50 |"*"| "[1-9][0-9]) ok "without KVM: graded by the service, 50/50 with its checks" ;; *) bad "without KVM: $r" ;; esac
curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/results" | grep -q '"student":"nokvm2"' &&
	ok "the service graded it as the student's sid" || bad "sid"
root nokvm3 "$T/gs.zip" "$L/starter"
AUTOGRADER_ROOT=$T/nokvm3 KVM_DEVICE=$T/no-such-kvm KVMLAB=$KVMLAB sh "$T/nokvm3/source/run_autograder"
r=$(results nokvm3); echo "$r"
case $r in "50 |"*) bad "starter: $r" ;; [0-9]*"| "[1-9][0-9]) ok "without KVM, the starter: below full marks, with its checks" ;; *) bad "starter: $r" ;; esac
# KVM is there but kvmlab did not build in the container: the service again
root nobin "$T/gs.zip" "$L/solution"
AUTOGRADER_ROOT=$T/nobin KVMLAB=$T/no-kvmlab sh "$T/nobin/source/run_autograder"
r=$(results nobin); case $r in "50 |"*) ok "kvmlab not built: the service graded it" ;; *) bad "no binary: $r" ;; esac

# 3. no KVM and no service named at export
"$KVMLAB" lab export 04 --gradescope "$T/alone.zip" --no-source 2>/dev/null
root alone "$T/alone.zip" "$L/solution"
AUTOGRADER_ROOT=$T/alone KVM_DEVICE=$T/no-such-kvm sh "$T/alone/source/run_autograder" 2>/dev/null
r=$(results alone); echo "$r"
case $r in "0 |"*"not a problem with your code"*"no KVM device"*) ok "no KVM, no service: results.json says why" ;; *) bad "alone: $r" ;; esac

# 4. the service is down
serve_stop TERM
root down "$T/gs.zip" "$L/solution"
AUTOGRADER_ROOT=$T/down KVM_DEVICE=$T/no-such-kvm sh "$T/down/source/run_autograder" 2>/dev/null
r=$(results down); echo "$r"
case $r in "0 |"*"could not be reached"*) ok "the service down: results.json says so" ;; *) bad "down: $r" ;; esac

# refused at export: a URL or token that would not be safe in the script
"$KVMLAB" lab export 04 --gradescope "$T/x.zip" --service 'http://x/$(id)' --token "$TOKEN" 2>/dev/null
[ $? -eq 1 ] && [ ! -e "$T/x.zip" ] && ok "a URL with shell characters: refused" || bad "url"
"$KVMLAB" lab export 04 --gradescope "$T/x.zip" --service http://x --token "short" 2>/dev/null
[ $? -eq 1 ] && ok "a short token: refused" || bad "token"
exit $fail
