#!/bin/sh
# quit.sh - the terminal is always given back sane: after q, after SIGTERM, after a crash
# (SIGSEGV); errors before the screen starts are plain messages with a non-zero status.
. "$(dirname "$0")/lib.sh"

# ---- before curses: plain messages, non-zero exit ----------------------------------------
guests_env=""
[ -n "${GUESTS_DIR:-}" ] && guests_env="KVMLAB_GUESTS=$GUESTS_DIR"
out=$(env $guests_env "$KVMLAB" tui no-such-guest 2>&1 < /dev/null)
rc=$?
[ $rc -eq 2 ] || fail "a missing guest exits 2, not $rc ($out)"
echo "$out" | grep -q "no guest named 'no-such-guest'" || fail "a missing guest is named ($out)"
echo "$out" | grep -q "$(printf '\033')" && fail "no escape sequences before curses starts"
out=$(env $guests_env "$KVMLAB" tui --dev /nonexistent/kvm boot 2>&1 < /dev/null)
rc=$?
[ $rc -eq 3 ] || fail "a missing KVM device exits 3, not $rc ($out)"
out=$(env $guests_env "$KVMLAB" tui boot 2>&1 < /dev/null)
rc=$?
[ $rc -eq 1 ] || fail "no terminal exits 1, not $rc ($out)"
echo "$out" | grep -q "must be a terminal" || fail "no terminal says so ($out)"
out=$(env $guests_env "$KVMLAB" tui --mode nonsense boot 2>&1 < /dev/null)
[ $? -eq 1 ] || fail "a bad option exits 1 ($out)"
"$KVMLAB" tui --help | grep -q -- "--max-exits" || fail "tui --help lists the guest options"
help=$("$KVMLAB" tui --help)
echo "$help" | grep -q "^  F9  *toggle a breakpoint at the code cursor at once$" ||
	fail "tui --help lists the keys of keys.h (F9)"
echo "$help" | grep -q "^  n F8  *step over: a CALL runs until it returns \[N\]$" ||
	fail "tui --help lists the keys of keys.h (n F8, counted)"
[ "$(echo "$help" | awk 'length > 80' | wc -l)" -eq 0 ] || fail "tui --help fits 80 columns"
pass "errors before the screen starts"

# ---- q: status 0, the shell's terminal settings back -----------------------------------------
start 80 24 boot
keys 5 s
at_step 5
keys q
expect "EXITED 0" "q exits with status 0"
expect "^icanon.*echo" "canonical input and echo restored after q"
refute "kvmlab tui  boot" "the TUI's screen is gone (alternate screen left)"
expect "kvmlab tui: left at step 5 of 5" "one line on where it was left"
stop
pass "q restores the terminal"

# ---- SIGTERM and SIGSEGV: the handler restores the terminal, then the signal kills it --------
for sig in TERM SEGV INT; do
	start 80 24 boot
	keys s
	at_step 1
	kill -"$sig" "$(tui_pid)" || fail "cannot send SIG$sig"
	case $sig in TERM) code=143 ;; SEGV) code=139 ;; INT) code=130 ;; esac
	expect "EXITED $code" "SIG$sig ends the TUI with status $code"
	expect "^icanon.*echo" "the terminal is sane after SIG$sig"
	stop
	pass "SIG$sig restores the terminal"
done

# ---- the guest stops: the TUI stays open on the final state -----------------------------------
start 80 24 ud2-64
keys s
expect "triple fault" "a triple fault is reported"
expect "STOPPED" "the title bar says stopped"
keys s
expect "STOPPED" "still open after the fault"
keys q
expect "EXITED 0" "q after the fault"
pass "a faulting guest leaves the TUI open"
