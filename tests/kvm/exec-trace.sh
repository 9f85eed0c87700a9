#!/bin/bash
# exec-trace.sh - kvmlab exec --trace: another program's guest single-stepped by the same
# engine as kvmlab trace, with the same steps, while the program sees only its own exits.
set -u
. "$(dirname "$0")/lib.sh"
# kvmlab as the observed program: in a sanitizer build its LeakSanitizer would ptrace its own
# threads at exit, which a traced process cannot; leak checks stay on for the observer.
INNER_KVMLAB=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$KVMLAB")
require_kvm
: "${HV_CLASSIC:?}" "${HV_CLASSIC_STATIC:?}" "${HV_MATRIX:?}"

# kvmlab's own VMM under exec --trace: the very same trace as kvmlab trace, field by field.
for mode in real protected long; do
	CASE="exec --trace -- kvmlab run hello --mode $mode"
	"$KVMLAB" run hello --mode $mode >"$TMP/alone-out" 2>"$TMP/alone-err"
	run_kvmlab 0 exec --trace --format jsonl -o "$TMP/a.jsonl" -- "${INNER_KVMLAB[@]}" run hello --mode $mode
	expect_out "Hello, world!"
	# the program ends exactly as alone: same RIP, RAX, memory and number of exits
	expect_err "$(grep 'kvmlab: halted' "$TMP/alone-err")"
	expect_err_re "^kvmlab: exec: vm1.vcpu0: [0-9]+ instructions retired \(halted; [0-9]+ steps/s on (one CPU|two CPUs( for [0-9]+% of the steps)?)\)$"
	"$KVMLAB" trace hello --mode $mode --format jsonl -o "$TMP/b.jsonl" 2>/dev/null
	check "kvmlab diff: identical" "$KVMLAB" diff "$TMP/a.jsonl" "$TMP/b.jsonl"
done

# Our test hypervisors, dynamic and static: the program's output and status unchanged (it
# checks RAX and [0x400] itself, and a debug exit would make it complain), and the steps
# those of kvmlab trace on the same bytes.
for hv in "$HV_CLASSIC" "$HV_CLASSIC_STATIC"; do
	for m in r:real s:protected l:long; do
		opt=-${m%%:*}
		mode=${m#*:}
		CASE="$(basename "$hv") $opt --trace"
		run_kvmlab 0 exec --trace --format jsonl -o "$TMP/a.jsonl" -- "$hv" $opt
		expect_out "Hello, world!"
		expect_no_err "Got exit_reason"
		expect_no_err "Wrong result"
		"$hv" $opt -D "$TMP/guest.bin"
		"$KVMLAB" trace --flat 0 --mode $mode --format jsonl -o "$TMP/b.jsonl" "$TMP/guest.bin" 2>/dev/null
		steps_of "$TMP/a.jsonl" >"$TMP/a.steps"
		steps_of "$TMP/b.jsonl" >"$TMP/b.steps"
		check "same instructions and exits as kvmlab trace ($(wc -l <"$TMP/a.steps") steps)" \
			cmp -s "$TMP/a.steps" "$TMP/b.steps"
		check "14 OUT exits to 0xE9, then HLT" sh -c "grep -c '\"port\": \"0xe9\"' '$TMP/a.steps' | grep -qx 14 && tail -1 '$TMP/a.steps' | grep -q HLT"
	done
done

# kvmlab and the program's thread on two CPUs where two are allowed (the line at the end says
# where the steps ran), and held on one (as after too many sleeps on two): the same steps.
CASE="classic -l --trace where two CPUs are allowed"
run_kvmlab 0 exec --trace -o /dev/null -- "$HV_CLASSIC" -l
if [ "$(nproc)" -ge 2 ]; then
	expect_err_re '^kvmlab: exec: vm1.vcpu0: .* steps/s on two CPUs( for [0-9]+% of the steps)?\)$'
else
	expect_err_re '^kvmlab: exec: vm1.vcpu0: .* steps/s on one CPU\)$'
fi
CASE="classic -l --trace on one CPU"
export KVMLAB_EXEC_ONE_CPU=1
run_kvmlab 0 exec --trace --format jsonl -o "$TMP/a.jsonl" -- "$HV_CLASSIC" -l
unset KVMLAB_EXEC_ONE_CPU
expect_out "Hello, world!"
expect_err_re '^kvmlab: exec: vm1.vcpu0: .* steps/s on one CPU\)$'
"$HV_CLASSIC" -l -D "$TMP/guest.bin"
"$KVMLAB" trace --flat 0 --mode long --format jsonl -o "$TMP/b.jsonl" "$TMP/guest.bin" 2>/dev/null
steps_of "$TMP/a.jsonl" >"$TMP/a.steps"
steps_of "$TMP/b.jsonl" >"$TMP/b.steps"
check "same instructions and exits as kvmlab trace ($(wc -l <"$TMP/a.steps") steps)" \
	cmp -s "$TMP/a.steps" "$TMP/b.steps"

# A few steps, then the program runs on by itself, unchanged.
CASE="classic -l --trace --max-steps 10"
run_kvmlab 0 exec --trace --max-steps 10 -o "$TMP/t.txt" -- "$HV_CLASSIC" -l
expect_out "Hello, world!"
expect_err_re '^kvmlab: exec: vm1.vcpu0: 10 instructions retired \(instruction limit reached'
check "10 steps written" [ "$(grep -cE '^ +[0-9]+ ' "$TMP/t.txt")" = 10 ]

# A breakpoint and a watch stop the stepping where kvmlab trace stops; the program runs on.
CASE="classic -l --trace --break 0x12"
run_kvmlab 0 exec --trace --break 0x12 -o "$TMP/t.txt" -- "$HV_CLASSIC" -l
expect_out "Hello, world!"
expect_err "kvmlab: breakpoint 0x12 reached after 88 instructions"
expect_err_re "^kvmlab: exec: vm1.vcpu0: 88 instructions retired; .*hv-classic runs on$"
CASE="classic -l --trace --watch 0x400:8"
run_kvmlab 0 exec --trace --watch 0x400:8 -o "$TMP/t.txt" -- "$HV_CLASSIC" -l
expect_out "Hello, world!"
expect_err "kvmlab: write to watched address 0x400 reached after 90 instructions"
check "the write is the last step" sh -c "tail -1 '$TMP/t.txt' | grep -q '\[0x400\] <- 2a 00 00 00 00 00 00 00'"

# --walk: the page walk of each step, through the program's own page tables at 0x2000.
CASE="classic -l --trace --walk"
run_kvmlab 0 exec --trace --walk --format jsonl -o "$TMP/w.jsonl" -- "$HV_CLASSIC" -l
expect_out "Hello, world!"
check "walks start at the program's PML4 (CR3 0x2000)" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
w = o["walk"]
assert w["status"] == "ok", w
assert w["levels"][0]["table"] == "0x2000", w["levels"][0]
assert w["phys"] == "0x0", w
' "$TMP/w.jsonl"

# Two VMs: --vm 2 steps the second; the Matrix still ends well (its values in order).
# (3 s: 200 steps of vm2 take long on a loaded machine; after them it runs at full speed)
CASE="matrix --trace --vm 2"
run_kvmlab 0 exec --trace --vm 2 --max-steps 200 -o "$TMP/t.txt" -- "$HV_MATRIX" -q 10 -d 3000
expect_out "vm1 ok
vm2 ok"
expect_err_re '^kvmlab: exec: vm2.vcpu0: 200 instructions retired'
check "vm2's port 0x11, never vm1's 0x10" sh -c "grep -q 'out 0x11, ax' '$TMP/t.txt' && ! grep -q 'out 0x10' '$TMP/t.txt'"
CASE="matrix --trace (timer, to the end)"
run_kvmlab 0 exec --trace -o "$TMP/t.txt" -- "$HV_MATRIX" -q 10 -d 150
expect_out "vm1 ok
vm2 ok"
expect_err_re '^kvmlab: exec: vm1.vcpu0: [0-9]+ instructions retired, then .*hv-matrix stopped running it'

# 32-bit paging on a host that cannot: the program's own verdict, as alone.
CASE="classic -p --trace"
"$HV_CLASSIC" -p >"$TMP/alone-out" 2>"$TMP/alone-err"
alone=$?
run_kvmlab "$alone" exec --trace -o "$TMP/t.txt" -- "$HV_CLASSIC" -p
expect_out "$(cat "$TMP/alone-out")"
expect_err "$(head -1 "$TMP/alone-err")"
if "$KVMLAB" probe | grep -qE '^ +no +paged32'; then
	expect_err 'kvmlab: exec: vm1.vcpu0 ended in KVM_EXIT_SHUTDOWN with 32-bit paging on'
	# the step's explanation is kvmlab trace's for the same host limit, not a bare triple fault
	check "the step says it is the host's limit" grep -qF "this is the host's limit, not a fault of this instruction" "$TMP/t.txt"
fi

# A program that unmaps guest memory kvmlab reads at every step (the PML4 page) and runs on:
# it fails as it does alone, never killed by the copies kvmlab's agent makes of its pages.
CASE="classic -l -U --trace"
"$HV_CLASSIC" -l -U >"$TMP/alone-out" 2>"$TMP/alone-err"
alone=$?
run_kvmlab "$alone" exec --trace -o "$TMP/t.txt" -- "$HV_CLASSIC" -l -U
expect_out "$(cat "$TMP/alone-out")"
expect_err "$(head -1 "$TMP/alone-err")"
expect_no_err "killed by signal"

CASE="--trace on a program without KVM"
run_kvmlab 0 exec --trace -- true
expect_err "kvmlab: exec: true never ran a vCPU: nothing to step"
CASE="--walk without --trace"
run_kvmlab 1 exec --walk -- true
expect_one_line

finish
