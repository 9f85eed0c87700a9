#!/bin/sh
# test-readmes.sh KVMLAB SOURCE_ROOT - every lab README's commands work after the quick start:
# before its first `kvmlab ...` line a code block puts build/ on PATH (the quick start leaves
# the program at build/kvmlab); every `kvmlab COMMAND` it names exists; every lab it names is
# found; every `cp -r labs/...` copies a folder that is there.  No KVM needed.
set -u
KVMLAB=$1
ROOT=$2
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

for readme in "$ROOT"/labs/[0-9]*/README.md; do
	lab=$(basename "$(dirname "$readme")")
	# the lines of its code blocks, numbered
	awk '/^```/ { inb = !inb; next } inb { print NR ": " $0 }' "$readme" >"${TMPDIR:-/tmp}/readme.$$"
	first=$(grep -m1 -E '^[0-9]+: (KVMLAB_[A-Z_]+=[^ ]+ )?kvmlab ' "${TMPDIR:-/tmp}/readme.$$" | cut -d: -f1)
	path=$(grep -m1 -F 'export PATH="$PWD/build:$PATH"' "${TMPDIR:-/tmp}/readme.$$" | cut -d: -f1)
	if [ -z "$first" ]; then
		ok "$lab: no kvmlab commands"
	elif [ -n "$path" ] && [ "$path" -lt "$first" ]; then
		ok "$lab: build/ is put on PATH (line $path) before the first kvmlab command (line $first)"
	else
		bad "$lab: a kvmlab command at line $first before any export PATH=\"\$PWD/build:\$PATH\""
	fi
	sed -E 's/^[0-9]+: //; s/^KVMLAB_[A-Z_]+=[^ ]+ //' "${TMPDIR:-/tmp}/readme.$$" >"${TMPDIR:-/tmp}/cmds.$$"
	while read -r word cmd arg rest; do
		case $word in
		kvmlab)
			if ! "$KVMLAB" "$cmd" --help >/dev/null 2>&1; then
				bad "$lab: kvmlab $cmd: no such command"
			fi
			if [ "$cmd" = lab ] && ! "$KVMLAB" lab --help | grep -q "kvmlab lab $arg"; then
				bad "$lab: kvmlab lab $arg: kvmlab lab --help has no such subcommand"
			fi
			case $cmd in
			grade) name=$arg ;;
			lab) case $arg in show|build|run|test) name=${rest%% *} ;; *) name= ;; esac ;;
			*) name= ;;
			esac
			if [ -n "$name" ] && ! KVMLAB_LABS="$ROOT/labs" "$KVMLAB" lab show "$name" >/dev/null 2>&1; then
				bad "$lab: kvmlab $cmd names lab '$name', which kvmlab lab show does not find"
			fi ;;
		cp)
			if [ "$cmd" = -r ] && [ "${arg#labs/}" != "$arg" ] && [ ! -d "$ROOT/$arg" ]; then
				bad "$lab: cp -r $arg: no such folder"
			fi ;;
		esac
	done <"${TMPDIR:-/tmp}/cmds.$$"
	rm -f "${TMPDIR:-/tmp}/readme.$$" "${TMPDIR:-/tmp}/cmds.$$"
done
exit $fail
