#!/bin/bash
# exec-log.sh - kvmlab exec on the test hypervisors (tests/hv): every ioctl and exit decoded,
# the program's output and status unchanged, two VMs and threads, a static program.
set -u
. "$(dirname "$0")/lib.sh"
# kvmlab as the observed program: in a sanitizer build its LeakSanitizer would ptrace its own
# threads at exit, which a traced process cannot; leak checks stay on for the observer.
INNER_KVMLAB=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$KVMLAB")
require_kvm
: "${HV_CLASSIC:?}" "${HV_CLASSIC_STATIC:?}" "${HV_MATRIX:?}"

# The program alone, for comparison: its stdout and status.
alone() {
	timeout 20 "$@" >"$TMP/alone-out" 2>"$TMP/alone-err" </dev/null
	ALONE_STATUS=$?
	ALONE_OUT=$(cat "$TMP/alone-out")
}

# A line of the log (stderr) matching the extended regex $1 exactly $2 times.
expect_count() {
	local n
	n=$(grep -cE -- "$1" "$TMP/err")
	if [ "$n" = "$2" ]; then
		pass "$2 lines match /$1/"
	else
		fail "$n lines match /$1/, expected $2"
	fi
}

for hv in "$HV_CLASSIC" "$HV_CLASSIC_STATIC"; do
	for mode in -r -s -l; do
		CASE="$(basename "$hv") $mode"
		alone "$hv" $mode
		check "alone: Hello, status 0" [ "$ALONE_STATUS" = 0 ] && [ "$ALONE_OUT" = "Hello, world!" ]
		run_kvmlab 0 exec -- "$hv" $mode
		expect_out "$ALONE_OUT"
		expect_err_re '^process start pid=[0-9]+ program=.*hv-classic'
		expect_err_re '^kvm KVM_GET_API_VERSION ret=12$'
		expect_err_re '^kvm KVM_CREATE_VM type=0 ret=[0-9]+ new=vm1$'
		expect_err_re '^vm1 KVM_SET_USER_MEMORY_REGION argp=0x[0-9a-f]+ arg=\{slot=0 flags=0x0 guest_phys_addr=0x0 memory_size=0x200000 userspace_addr=0x[0-9a-f]+\} ret=0$'
		expect_err_re '^vm1 KVM_CREATE_VCPU vcpu_id=0 ret=[0-9]+ new=vm1.vcpu0$'
		expect_err_re '^vm1.vcpu0 mmap len=0x[0-9a-f]+ kvm_run=0x[0-9a-f]+$'
		# the bytes at data_offset, one exit per character
		# (immediate_exit is read at the call by the ptrace path only; see exec-observe)
		expect_err_re '^vm1.vcpu0 KVM_RUN (immediate_exit=0 )?ret=0 exit=KVM_EXIT_IO dir=out port=0xe9 size=1 count=1 data_offset=0x1000 data=\[48\]"H" us=[0-9.]+$'
		expect_count '^vm1.vcpu0 KVM_RUN .*exit=KVM_EXIT_IO dir=out port=0xe9' 14
		expect_count '^vm1.vcpu0 KVM_RUN .*exit=KVM_EXIT_HLT' 1
		expect_err_re '^vm1.vcpu0 KVM_GET_REGS argp=0x[0-9a-f]+ ret=0 out=\{rax=0x2a '
		expect_err_re '^process exit pid=[0-9]+ status=0$'
	done
done

# Special registers in full: each segment, CR0/CR4/EFER with their bits by name, GDT/IDT.
CASE="classic -l sregs"
run_kvmlab 0 exec -- "$HV_CLASSIC" -l
expect_err_re '^vm1.vcpu0 KVM_SET_SREGS argp=0x[0-9a-f]+ arg=\{cs=\{sel=0x8 base=0x0 limit=0xffffffff type=11 kind=code RX present=1 dpl=0 db=0 s=1 l=1 g=1 avl=0\} ds=\{sel=0x10 '
expect_err_re 'ldt=\{[^}]*\} gdt=\{base=0x[0-9a-f]+ limit=0x[0-9a-f]+\} idt=\{base=0x[0-9a-f]+ limit=0x[0-9a-f]+\} cr0=0x80050033\(PE MP ET NE WP AM PG\) cr2=0x0 cr3=0x2000 cr4=0x20\(PAE\) cr8=0x0 efer=0x500\(LME LMA\) apic_base=0x[0-9a-f]+\} ret=0$'
expect_err_re '^vm1.vcpu0 KVM_SET_REGS argp=0x[0-9a-f]+ arg=\{rax=0x0 .* rsp=0x200000 .* rip=0x0 rflags=0x2\} ret=0$'

# JSON Lines: every line one object; the IO exit's fields by name.
CASE="classic -r --format jsonl"
run_kvmlab 0 exec --format jsonl -o "$TMP/log.jsonl" -- "$HV_CLASSIC" -r
expect_out "Hello, world!"
check "every line is JSON" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
io = [o for o in objs if o.get("exit") == "KVM_EXIT_IO"]
assert len(io) == 14, len(io)
first = io[0]
assert first["obj"] == "vm1.vcpu0" and first["ioctl"] == "KVM_RUN", first
assert first["dir"] == "out" and first["port"] == "0xe9" and first["size"] == 1, first
assert first["count"] == 1 and first["data_offset"] == "0x1000" and first["data"] == "48", first
assert isinstance(first["ns"], int) and first["ret"] == 0
sregs = [o for o in objs if o.get("ioctl") == "KVM_SET_SREGS"][0]["arg"]
assert sregs["cs"]["sel"] == "0x0" and sregs["cr0_bits"] != None
mem = [o for o in objs if o.get("ioctl") == "KVM_SET_USER_MEMORY_REGION"][0]["arg"]
assert mem["memory_size"] == "0x200000" and mem["slot"] == 0
' "$TMP/log.jsonl"

# --stats: per VM and vCPU, KVM_RUN calls and exits by type and direction.
CASE="classic -s --stats"
run_kvmlab 0 exec --stats -- "$HV_CLASSIC" -s
expect_err_re '^stats vm1 pid=[0-9]+ memory_slots=1 memory_bytes=0x200000$'
expect_err_re '^stats   vm1.vcpu0 pid=[0-9]+ KVM_RUN=15 exits=15 by_type=\{IO_out=14 HLT=1\} ms_in_KVM_RUN=[0-9.]+$'

# Many exits: the counts are exact.
CASE="classic -n 5000 --stats"
run_kvmlab 0 exec --stats -o "$TMP/log" -- "$HV_CLASSIC" -n 5000
check "5001 KVM_RUN, 5000 IO out" grep -qE '^stats   vm1.vcpu0 .* KVM_RUN=5001 exits=5001 by_type=\{IO_out=5000 HLT=1\}' "$TMP/log"

# 32-bit paging: the program's own verdict, and kvmlab's sentence where the host cannot.
CASE="classic -p"
alone "$HV_CLASSIC" -p
run_kvmlab "$ALONE_STATUS" exec -- "$HV_CLASSIC" -p
expect_out "$ALONE_OUT"
if "$KVMLAB" probe | grep -qE '^ +no +paged32'; then
	expect_err_re '^vm1.vcpu0 KVM_RUN .*exit=KVM_EXIT_SHUTDOWN'
	expect_err 'kvmlab: exec: vm1.vcpu0 ended in KVM_EXIT_SHUTDOWN with 32-bit paging on'
	expect_err 'cannot run 32-bit paging: a guest with paged32 or PAE paging on shuts down'
else
	expect_err_re '^vm1.vcpu0 KVM_RUN .*exit=KVM_EXIT_HLT'
fi

# Two VMs, one thread, switched by a POSIX timer through immediate_exit.  300 ms: each of the
# timer's signals stops the program until kvmlab passes it on, which on a loaded machine took
# 140 ms once, and VM 2 must still get a turn.
CASE="matrix (timer)"
run_kvmlab 0 exec --stats -o "$TMP/log" -- "$HV_MATRIX" -q 10 -d 300
expect_out "vm1 ok
vm2 ok"
check "vm1 and vm2 are two VMs" grep -qE '^kvm KVM_CREATE_VM type=0 ret=[0-9]+ new=vm2$' "$TMP/log"
check "OUT to 0x10 from vm1" grep -qE '^vm1.vcpu0 KVM_RUN .*exit=KVM_EXIT_IO dir=out port=0x10 size=2 count=1 data_offset=0x1000 data=\[00 00\]' "$TMP/log"
check "OUT to 0x11 from vm2, first value 0, then 0xffff" grep -qE '^vm2.vcpu0 KVM_RUN .*exit=KVM_EXIT_IO dir=out port=0x11 size=2 count=1 data_offset=0x1000 data=\[ff ff\]' "$TMP/log"
check "a KVM_RUN ended by the timer: EINTR, KVM_EXIT_INTR" grep -qE '^vm[12].vcpu0 KVM_RUN (immediate_exit=[01] )?ret=-1 errno=EINTR exit=KVM_EXIT_INTR' "$TMP/log"
check "stats for both vCPUs count interruptions" sh -c "grep -cE '^stats   vm[12].vcpu0 .*interrupted=[0-9]+' '$TMP/log' | grep -qx 2"
# immediate_exit as the program set it is read at the call by the ptrace path: the timer's
# signal, delivered while the program is stopped before its KVM_RUN, shows it at 1.
CASE="matrix (timer), --observe ptrace"
run_kvmlab 0 exec --observe ptrace --stats -o "$TMP/log" -- "$HV_MATRIX" -q 10 -d 300
expect_out "vm1 ok
vm2 ok"
check "observed through ptrace, pinned to one CPU" grep -qE '^observer ptrace cpu=[0-9]+' "$TMP/log"
check "immediate_exit=1 seen at a call" grep -qE '^vm[12].vcpu0 KVM_RUN immediate_exit=1 ' "$TMP/log"
check "stats for both vCPUs count interruptions" sh -c "grep -cE '^stats   vm[12].vcpu0 .*interrupted=[0-9]+' '$TMP/log' | grep -qx 2"

# Two VMs in two threads: the lines of the second thread carry its id.
CASE="matrix -t (threads)"
run_kvmlab 0 exec -o "$TMP/log" -- "$HV_MATRIX" -t -d 100
expect_out "vm1 ok
vm2 ok"
check "KVM_RUN from other threads is marked [pid N]" grep -qE '^\[pid [0-9]+\] vm[12].vcpu0 KVM_RUN ' "$TMP/log"
check "both VMs ran" sh -c "grep -q '^\[pid [0-9]*\] vm1.vcpu0 KVM_RUN' '$TMP/log' && grep -q '^\[pid [0-9]*\] vm2.vcpu0 KVM_RUN' '$TMP/log'"

# Alternating on every exit (2a): the KVM_RUN order is vm1, vm2, vm1, ...
CASE="matrix -a (alternate)"
run_kvmlab 0 exec -o "$TMP/log" -- "$HV_MATRIX" -a -c 20
order=$(grep -oE '^vm[12].vcpu0 KVM_RUN' "$TMP/log" | cut -c3 | tr -d '\n')
check "order 1212... ($order)" [ "$order" = "12121212121212121212" ]

# kvmlab's own run under exec: the same exits as its own --stats.
CASE="exec -- kvmlab run hello"
run_kvmlab 0 exec --stats -- "${INNER_KVMLAB[@]}" run hello --mode long
expect_out "Hello, world!"
expect_err_re '^stats   vm1.vcpu0 .* KVM_RUN=15 exits=15 by_type=\{IO_out=14 HLT=1\}'
expect_err_re '^vm1 KVM_CHECK_EXTENSION cap=74 cap_name=KVM_CAP_SYNC_REGS ret=[0-9]+$'
expect_err_re '^vm1.vcpu0 KVM_SET_CPUID2 argp=0x[0-9a-f]+ arg=\{nent=[0-9]+ entries=\[\{function=0x0 index=0x0 '

finish
