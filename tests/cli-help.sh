#!/bin/sh
# cli-help.sh - every command's --help: exit 0, its option lines (written from the command's
# option table, tracer/cli/options.h) within 80 columns, each option listed once, and every
# option the help lists accepted by the command (no "unknown option").  No KVM needed.
# usage: cli-help.sh KVMLAB
K=${1:?usage: cli-help.sh KVMLAB}
fail=0
bad() { echo "FAIL $*"; fail=1; }

for cmd in run trace tui walk diff probe lab "lab export" grade "grade merge" exec explain serve; do
	# shellcheck disable=SC2086
	help=$("$K" $cmd --help) || bad "$cmd --help exits $?"
	opts=$(printf '%s\n' "$help" | grep -E '^  (-[a-z], |    )--[a-z0-9-]+')
	wide=$(printf '%s\n' "$opts" | awk 'length > 80')
	[ -z "$wide" ] || bad "$cmd --help: option lines wider than 80 columns: $wide"
	# "name" for an option without a value, "name=1" for one that takes a value
	names=$(printf '%s\n' "$opts" | sed -E 's/^  (-[a-z], |    )--([a-z0-9-]+)( [A-Z]*)?.*/\2\3/;
		s/ [A-Z]+$/=1/; s/ $//')
	dup=$(printf '%s\n' "$names" | sed 's/=1$//' | sort | uniq -d)
	[ -z "$dup" ] || bad "$cmd --help lists an option twice: $dup"
	for o in $names; do
		# shellcheck disable=SC2086
		out=$("$K" $cmd "--$o" 2>&1 </dev/null)
		case $out in
		*"unknown option"*) bad "$cmd --help lists --$o, which $cmd refuses: $out" ;;
		esac
	done
done
[ "$fail" -eq 0 ] && echo "every command's --help lists the options it takes, within 80 columns"
exit "$fail"
