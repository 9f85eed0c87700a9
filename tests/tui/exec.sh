#!/bin/sh
# exec.sh - kvmlab exec --tui: another program's guest in the TUI (the test hypervisor in
# long mode); stepping and stepping back; q lets the program run on to its own end, and its
# output, kept while the screen was up, comes out after.
. "$(dirname "$0")/lib.sh"
[ -n "${HV_CLASSIC:-}" ] || fail "HV_CLASSIC must name the test hypervisor"

# start_exec W H ARGS...: as lib.sh's start, for `kvmlab exec --tui ARGS`.
start_exec() {
	stop
	TUI_RUN=$((TUI_RUN + 1))
	TUI_SOCK="kvmlab-tui-test-$$-$TUI_RUN"
	w=$1 h=$2
	shift 2
	printf '%s\n' "#!/bin/sh" \
		"echo \$\$ > '$TUI_TMP/pid'" \
		"exec '$KVMLAB' exec --tui $*" > "$TUI_TMP/run.sh"
	printf '%s\n' "#!/bin/sh" \
		"sh '$TUI_TMP/run.sh'" \
		"echo EXITED \$?" \
		"sleep 600" > "$TUI_TMP/pane.sh"
	tmx new-session -d -s tui -x "$w" -y "$h" "sh '$TUI_TMP/pane.sh'" || fail "tmux cannot start"
	tmx set-option -t tui status off >/dev/null
	wait_for "step 0/" || fail "the TUI did not start"
}

start_exec 100 30 -- "$HV_CLASSIC" -l
expect "mov esi, 0x" "the program's first instruction in the code pane"
keys 5 s
at_step 5
expect "out 0xE9, al" "the OUT of the program's guest"
keys b
at_step 4
keys 16 s
at_step 20
keys q
expect "EXITED 0" "q: the program ran on to its end, status 0"
expect "^Hello, world!" "the program's output, shown after the TUI"
expect "kvmlab exec: left vm1.vcpu0 at step 20 of 20" "where the guest was left"
refute "Got exit_reason" "the program saw no debug exit"
stop
pass "exec --tui on the test hypervisor"

# To the HLT: the program sees its HLT exit and checks RAX and [0x400] itself.
start_exec 100 30 -- "$HV_CLASSIC" -l
keys c
expect "STOPPED" "continued to the end: stopped at the HLT"
keys q
expect "EXITED 0" "status 0 after the HLT"
refute "Wrong result" "the program's own check passed"
stop
pass "exec --tui to the HLT"
