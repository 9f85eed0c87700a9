#!/bin/bash
# exec-observe.sh - kvmlab exec's two ways of seeing KVM_RUN give the same log: ptrace stops
# (--observe ptrace) and the kernel's KVM tracepoints (--observe tracepoints), on the test
# hypervisors, diffed with what differs between any two runs masked (timings, pids, host
# addresses), with immediate_exit, which only the ptrace path reads at the call, and with the
# notes by which the tracepoint path says where a field came from (checked on their own).  Then a
# ring too small (lost records are reported, never silent) and tracepoints unavailable.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm
: "${HV_CLASSIC:?}" "${HV_CLASSIC_STATIC:?}" "${HV_MATRIX:?}"

# Skipped only where kvmlab itself says the tracepoints cannot be used (status 3).
"$KVMLAB" exec --observe tracepoints -o /dev/null -- "$HV_CLASSIC" -r >/dev/null 2>"$TMP/why"
st=$?
if [ "$st" = 3 ] && grep -q '^kvmlab: exec: --observe tracepoints: the KVM tracepoints cannot be used here' "$TMP/why"; then
	echo "SKIP: $(cat "$TMP/why")"
	exit 77
elif [ "$st" != 0 ]; then
	echo "FAIL: kvmlab exec --observe tracepoints -- hv-classic -r: status $st: $(head -c 600 "$TMP/why")"
	exit 1
fi

# The log without what differs from run to run whatever the path.
mask() {
	sed -E -e '/^(stats )?observer /d' -e 's/ immediate_exit=[01]//' -e 's/ us=[0-9.]+//' \
		-e 's/(KVM_RUN .*) note=[^=]*$/\1/' \
		-e 's/ms_in_KVM_RUN=[0-9.]+/ms_in_KVM_RUN=T/' -e 's/(pid|parent)=[0-9]+/\1=P/g' \
		-e 's/^\[pid [0-9]+\]/[pid P]/' -e 's/0x[0-9a-f]{9,}/ADDR/g' "$1"
}

# Both paths on one program: same output and status, same log once masked.
same_log() {
	local how
	for how in ptrace tracepoints; do
		run_kvmlab "$1" exec --observe "$how" --stats -o "$TMP/$how.log" -- "${@:2}"
		cp "$TMP/out" "$TMP/$how.out"
		check "observed through $how" grep -qE "^observer $how( |$)" "$TMP/$how.log"
	done
	check "same output" cmp -s "$TMP/ptrace.out" "$TMP/tracepoints.out"
	mask "$TMP/ptrace.log" >"$TMP/ptrace.masked"
	mask "$TMP/tracepoints.log" >"$TMP/tracepoints.masked"
	if cmp -s "$TMP/ptrace.masked" "$TMP/tracepoints.masked"; then
		pass "same log, timings masked ($(wc -l <"$TMP/ptrace.masked") lines)"
	else
		fail "the logs differ: $(diff "$TMP/ptrace.masked" "$TMP/tracepoints.masked" | head -6 | tr '\n' '|')"
	fi
}

for mode in -r -s -l; do
	CASE="hv-classic $mode"
	same_log 0 "$HV_CLASSIC" $mode
	CASE="hv-classic-static $mode"
	same_log 0 "$HV_CLASSIC_STATIC" $mode
done
CASE="hv-classic -p (the host's verdict on 32-bit paging)"
timeout 20 "$HV_CLASSIC" -p >/dev/null 2>&1
same_log $? "$HV_CLASSIC" -p
CASE="hv-classic -n 2000"
same_log 0 "$HV_CLASSIC" -n 2000
check "2001 KVM_RUN lines" [ "$(grep -c 'KVM_RUN' "$TMP/tracepoints.masked")" -ge 2001 ]
# IN exits: KVM traces an IN's port only when the next KVM_RUN completes it, with the answer.
CASE="hv-classic -I 50 (IN exits and the program's answers)"
same_log 0 "$HV_CLASSIC" -I 50
check "50 IN exits, each answered" [ "$(grep -cE 'KVM_RUN in_answer=\[[0-9a-f]{2} 01\] ret=0 exit=KVM_EXIT_IO dir=out port=0x80' "$TMP/tracepoints.masked")" = 50 ]
# A port KVM answers in the kernel (an ioeventfd on 0x84) written just before the IN: the
# KVM_RUN's last kvm_pio record is that write, not its exit.
CASE="hv-classic -I 20 -k (a port answered in the kernel before each IN exit)"
same_log 0 "$HV_CLASSIC" -I 20 -k
check "20 IN exits of port 0x81, no exit for port 0x84" sh -c \
	"[ \$(grep -c 'exit=KVM_EXIT_IO dir=in port=0x81 ' '$TMP/tracepoints.log') = 20 ] && ! grep -q 'port=0x84' '$TMP/tracepoints.log'"
CASE="hv-classic -I 5 -k -K (killed after an IN exit, before the next KVM_RUN)"
same_log 139 "$HV_CLASSIC" -I 5 -k -K
check "the last IN exit read from the kvm_run page, said so" \
	grep -qE 'exit=KVM_EXIT_IO dir=in port=0x81 size=2 count=1 data_offset=0x1000 data=\[00 00\] note=port, size and count read from the kvm_run page' "$TMP/tracepoints.log"
CASE="hv-classic -R (fds closed, reused, dup2'd)"
same_log 0 "$HV_CLASSIC" -R
CASE="hv-classic -F (fork)"
same_log 0 "$HV_CLASSIC" -F
CASE="matrix -a (two VMs in turns)"
same_log 0 "$HV_MATRIX" -a -c 40

# Two VMs switched by a timer: how many exits fit in a quantum differs from run to run, so the
# logs are compared line by line in shape (numbers masked), and each VM's values must run on.
CASE="matrix (timer)"
same_shape() {
	# (the bytes, and the text after them when they are printable)
	sed -E -e 's/data=\[[0-9a-f ]+\]("([^"\\]|\\.)*")?/data=[D]/' -e 's/[0-9]+/N/g' "$1" | sort -u
}
for how in ptrace tracepoints; do
	run_kvmlab 0 exec --observe "$how" --stats -o "$TMP/$how.log" -- "$HV_MATRIX" -q 10 -d 300
	expect_out "vm1 ok
vm2 ok"
	mask "$TMP/$how.log" | grep -v 'KVM_RUN ret=-1 errno=EINTR' >"$TMP/$how.masked"
	check "$how: KVM_RUN ended by the timer (EINTR, KVM_EXIT_INTR)" \
		grep -qE '^vm[12].vcpu0 KVM_RUN (immediate_exit=[01] )?ret=-1 errno=EINTR exit=KVM_EXIT_INTR' "$TMP/$how.log"
	check "$how: vm1's values run on (0, 1, 2, ...)" python3 -c '
import re, sys
vals = [int(m.group(2) + m.group(1), 16) for m in re.finditer(r"^vm1\.vcpu0 KVM_RUN .*port=0x10 .*data=\[([0-9a-f]{2}) ([0-9a-f]{2})\]", open(sys.argv[1]).read(), re.M)]
assert len(vals) > 10 and vals == list(range(len(vals))), vals[:20]
' "$TMP/$how.log"
done
if diff <(same_shape "$TMP/ptrace.masked") <(same_shape "$TMP/tracepoints.masked") >"$TMP/shape.diff"; then
	pass "the same kinds of line, numbers masked"
else
	fail "kinds of line differ: $(head -6 "$TMP/shape.diff" | tr '\n' '|')"
fi

# Two threads running a VM each: every thread's KVM_RUN is seen, marked with its id.
CASE="matrix -t (threads), tracepoints"
run_kvmlab 0 exec --observe tracepoints --stats -o "$TMP/log" -- "$HV_MATRIX" -t -d 100
expect_out "vm1 ok
vm2 ok"
check "KVM_RUN of both threads, marked [pid N]" sh -c \
	"grep -q '^\[pid [0-9]*\] vm1.vcpu0 KVM_RUN ret=0 exit=KVM_EXIT_IO' '$TMP/log' &&
	 grep -q '^\[pid [0-9]*\] vm2.vcpu0 KVM_RUN ret=0 exit=KVM_EXIT_IO' '$TMP/log'"
check "stats count what the lines show" python3 -c '
import re, sys
log = open(sys.argv[1]).read()
for vm in ("vm1", "vm2"):
    lines = len(re.findall(r"^\[pid \d+\] %s\.vcpu0 KVM_RUN " % vm, log, re.M))
    stat = int(re.search(r"^stats   %s\.vcpu0 .* KVM_RUN=(\d+) " % vm, log, re.M).group(1))
    assert lines == stat and lines > 10, (vm, lines, stat)
' "$TMP/log"

# A ring too small for the exits between two reads: the loss is said in the log, in --stats
# and on standard error, never silent.
CASE="one-page rings (KVMLAB_EXEC_RING_PAGES=1)"
KVMLAB_EXEC_RING_PAGES=1 run_kvmlab 0 exec --observe tracepoints --stats -o "$TMP/log" -- "$HV_CLASSIC" -n 20000
check "the log says where records were lost" grep -qE '^observer tracepoints lost=[1-9][0-9]* tid=[0-9]+ note=the kernel dropped' "$TMP/log"
check "--stats counts them" grep -qE '^stats observer tracepoints lost_records=[1-9]' "$TMP/log"
expect_err_re 'kvmlab: exec: the kernel dropped [1-9][0-9]* tracepoint records \(a ring was full\)'

# The recording turned off behind kvmlab's back (a program running as root could): said in
# the log and on standard error.  Only this kvmlab's instance (named after its pid) is touched.
CASE="the tracefs instance turned off while the program runs"
tfs=${KVMLAB_TRACEFS:-$(awk '$3 == "tracefs" {print $2; exit}' /proc/mounts)}
"$KVMLAB" exec --observe tracepoints -o "$TMP/log" -- "$HV_CLASSIC" -n 300000 >/dev/null 2>"$TMP/err" &
kpid=$!
inst=""
for i in $(seq 200); do
	inst=$(ls -d "$tfs/instances/kvmlab-exec-$kpid-"* 2>/dev/null | head -1)
	[ -n "$inst" ] && [ "$(cat "$inst/tracing_on" 2>/dev/null)" = 1 ] && break
	sleep 0.05
done
sleep 0.3
[ -n "$inst" ] && echo 0 >"$inst/tracing_on"
wait "$kpid"
STATUS=$?
check "exit status 0" [ "$STATUS" = 0 ]
check "the log says the recording was changed" grep -qE "^observer tracepoints tampered=.*tracing_on is 0, not 1 note=the recording was changed" "$TMP/log"
check "so does standard error" grep -qE "^kvmlab: exec: the tracepoint recording was changed while .* ran \(.*tracing_on is 0, not 1\): the log may miss KVM_RUN calls" "$TMP/err"
check "the instance is removed" [ ! -e "$inst" ]

# No tracepoints: --observe tracepoints refuses with the reason, auto falls back to ptrace.
CASE="tracefs not found, --observe tracepoints"
KVMLAB_TRACEFS="$TMP/none" run_kvmlab 3 exec --observe tracepoints -- "$HV_CLASSIC" -r
expect_err_re "^kvmlab: exec: --observe tracepoints: the KVM tracepoints cannot be used here: .*/none/events/raw_syscalls/sys_enter/format: No such file or directory .*--observe ptrace"
CASE="tracefs not found, auto"
KVMLAB_TRACEFS="$TMP/none" run_kvmlab 0 exec -- "$HV_CLASSIC" -r
expect_out "Hello, world!"
expect_err_re "^observer ptrace cpu=[0-9]+ tracepoints_unavailable=.*/none/events/raw_syscalls/sys_enter/format"
expect_err_re '^vm1.vcpu0 KVM_RUN immediate_exit=0 ret=0 exit=KVM_EXIT_HLT us=[0-9.]+$'
CASE="--observe with a bad value"
run_kvmlab 1 exec --observe sometimes -- "$HV_CLASSIC" -r
expect_err "kvmlab: exec: --observe sometimes: give auto, tracepoints or ptrace"
CASE="--trace with --observe tracepoints"
run_kvmlab 1 exec --trace --observe tracepoints -- "$HV_CLASSIC" -r
expect_err "kvmlab: exec: --trace and --tui step the guest through ptrace stops at KVM_RUN"

finish
