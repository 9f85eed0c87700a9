#!/bin/bash
# exec-khw.sh - kvmlab exec on kvm-hello-world as published (dpw/kvm-hello-world, built with
# the two Makefile fixes the README states): the log, --trace, --stats and --flow for every
# mode this host runs (-r, -s, -l), and -p ending in the host-limit sentence where the host
# cannot run 32-bit paging.  Its code is not part of kvmlab, so the test is opt-in:
#   KVMLAB_KHW_DIR=/path/to/kvm-hello-world meson test -C build exec-khw
# (a folder where `make kvm-hello-world` has run: kvm-hello-world, guest16.o, guest32.img and
# guest64.img).  Without it the test is skipped, with the reason.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm
KHW=${KVMLAB_KHW_DIR:-}
if [ -z "$KHW" ]; then
	echo "SKIP: KVMLAB_KHW_DIR is not set: point it at a built kvm-hello-world folder to run this test"
	exit 77
fi
for f in kvm-hello-world guest16.o guest32.img guest64.img; do
	if [ ! -f "$KHW/$f" ]; then
		echo "FAIL: KVMLAB_KHW_DIR=$KHW has no $f: build it there first (make kvm-hello-world, with the README's two Makefile fixes)"
		exit 1
	fi
done
KHW=$(cd "$KHW" && pwd)
PROG=$KHW/kvm-hello-world

# The real-mode guest is the .text of an object file; the others are raw images already.
objcopy -O binary -j .text "$KHW/guest16.o" "$TMP/guest16.bin"

for m in r:real:"$TMP/guest16.bin":"Testing real mode" \
	 s:protected:"$KHW/guest32.img":"Testing protected mode
Hello, world!" \
	 l:long:"$KHW/guest64.img":"Testing 64-bit mode
Hello, world!"; do
	IFS=: read -r opt mode image <<<"${m%%:Testing*}"
	want="Testing${m#*:Testing}"
	exits=15
	[ "$opt" = r ] && exits=1

	# the log, with KVM_RUN seen through the tracepoints (where they can be used) and by ptrace
	for observe in auto ptrace; do
		CASE="kvm-hello-world -$opt (--observe $observe)"
		run_kvmlab 0 exec --observe $observe -- "$PROG" -$opt
		expect_out "$want"
		expect_err_re '^kvm KVM_CREATE_VM type=0 ret=[0-9]+ new=vm1$'
		expect_err_re '^vm1 KVM_SET_TSS_ADDR addr=0xfffbd000 ret=0$'
		expect_err_re '^vm1 KVM_SET_USER_MEMORY_REGION argp=0x[0-9a-f]+ arg=\{slot=0 flags=0x0 guest_phys_addr=0x0 memory_size=0x200000 userspace_addr=0x[0-9a-f]+\} ret=0$'
		expect_err_re '^vm1.vcpu0 mmap len=0x[0-9a-f]+ kvm_run=0x[0-9a-f]+'
		expect_err_re '^vm1.vcpu0 KVM_RUN (immediate_exit=0 )?ret=0 exit=KVM_EXIT_HLT '
		expect_err_re '^vm1.vcpu0 KVM_GET_REGS argp=0x[0-9a-f]+ ret=0 out=\{rax=0x2a '
		expect_err_re '^process exit pid=[0-9]+ status=0$'
		if [ "$opt" != r ]; then
			check "14 OUT exits to 0xe9, the byte at data_offset shown" \
				[ "$(grep -cE '^vm1.vcpu0 KVM_RUN (immediate_exit=0 )?ret=0 exit=KVM_EXIT_IO dir=out port=0xe9 size=1 count=1 data_offset=0x1000 data=\[[0-9a-f]{2}\]' "$TMP/err")" = 14 ]
		fi
	done

	CASE="kvm-hello-world -$opt --stats"
	run_kvmlab 0 exec --stats -o "$TMP/log" -- "$PROG" -$opt
	expect_out "$want"
	if [ "$opt" = r ]; then
		check "1 KVM_RUN, HLT" grep -qE '^stats   vm1.vcpu0 pid=[0-9]+ KVM_RUN=1 exits=1 by_type=\{HLT=1\}' "$TMP/log"
	else
		check "15 KVM_RUN: 14 OUT, HLT" grep -qE '^stats   vm1.vcpu0 pid=[0-9]+ KVM_RUN=15 exits=15 by_type=\{IO_out=14 HLT=1\}' "$TMP/log"
	fi
	check "the VM's memory" grep -qE '^stats vm1 pid=[0-9]+ memory_slots=1 memory_bytes=0x200000$' "$TMP/log"

	CASE="kvm-hello-world -$opt --trace"
	run_kvmlab 0 exec --trace --format jsonl -o "$TMP/a.jsonl" -- "$PROG" -$opt
	# the program checks RAX and [0x400] itself, and would complain of a debug exit
	expect_out "$want"
	expect_err_re "^kvmlab: exec: vm1.vcpu0: [0-9]+ instructions retired \(halted; [0-9]+ steps/s on (one CPU|two CPUs( for [0-9]+% of the steps)?)\)$"
	"$KVMLAB" trace --flat 0 --mode "$mode" --format jsonl -o "$TMP/b.jsonl" "$image" 2>/dev/null
	steps_of "$TMP/a.jsonl" >"$TMP/a.steps"
	steps_of "$TMP/b.jsonl" >"$TMP/b.steps"
	check "the steps of kvmlab trace on the same image ($(wc -l <"$TMP/a.steps") steps)" \
		cmp -s "$TMP/a.steps" "$TMP/b.steps"
	check "$exits of them exits" [ "$(grep -c '"exit":' "$TMP/a.jsonl")" = "$exits" ]

	CASE="kvm-hello-world -$opt --flow"
	run_kvmlab 0 exec --flow "$TMP/flow.dot" -o /dev/null -- "$PROG" -$opt
	expect_out "$want"
	check "memory, the mode, the run loop and the check, in order" python3 - "$TMP/flow.dot" "$exits" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
want = [r"KVM_SET_USER_MEMORY_REGION on vm1\\nslot 0, guest physical 0x0, 2048 KiB",
        r"KVM_SET_SREGS on vm1.vcpu0", r"KVM_SET_REGS on vm1.vcpu0\\nRIP=0x0 ",
        r"KVM_RUN on vm1.vcpu0\\nexit: KVM_EXIT_HLT x1" if sys.argv[2] == "1" else
        r"KVM_RUN on vm1.vcpu0 \(x15\)\\nexit: IO out port 0xe9 x14\\nexit: KVM_EXIT_HLT x1",
        r"KVM_GET_REGS on vm1.vcpu0\\nRAX=0x2a "]
if sys.argv[2] != "1" and not re.search(r'(n\d+) -> \1 \[label="handle the exit, run again"\]', text):
    sys.exit("no loop back to KVM_RUN")
at = 0
for w in want:
    m = re.compile(w).search(text, at)
    if not m:
        sys.exit("missing after offset %d: %s" % (at, w))
    at = m.end()
PY
	if command -v dot >/dev/null; then
		check "Graphviz draws it" dot -Tsvg "$TMP/flow.dot" -o "$TMP/flow.svg"
	fi
done

# 32-bit paging: the program's own verdict, and kvmlab's sentence where the host cannot.
timeout 20 "$PROG" -p >"$TMP/alone-out" 2>/dev/null </dev/null
ALONE_STATUS=$?
ALONE_OUT=$(cat "$TMP/alone-out")
for how in "" --trace --stats "--flow $TMP/flow.dot"; do
	CASE="kvm-hello-world -p${how:+ ${how%% *}}"
	# shellcheck disable=SC2086 # $how is one option or an option and its file
	run_kvmlab "$ALONE_STATUS" exec $how -o "$TMP/log" -- "$PROG" -p
	expect_out "$ALONE_OUT"
	if "$KVMLAB" probe | grep -qE '^ +no +paged32'; then
		expect_err 'kvmlab: exec: vm1.vcpu0 ended in KVM_EXIT_SHUTDOWN with 32-bit paging on'
		expect_err "this host's KVM (backend: "
		if [ "$how" = --trace ]; then
			check "the step says it is the host's limit" grep -qF "this is the host's limit, not a fault of this instruction" "$TMP/log"
		fi
	else
		check "halted with 42" [ "$ALONE_STATUS" = 0 ]
	fi
done

finish
