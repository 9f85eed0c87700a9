#!/bin/bash
# exec-bench.sh - what watching a program's ioctls from outside costs (`kvmlab exec`):
# an exit-heavy program (the test hypervisor making 100,000 port writes) alone, and under
# kvmlab exec writing the log to a file: KVM_RUN seen through the kernel's tracepoints (text
# and JSONL; the default where they can be used) and through ptrace stops (kvmlab and the
# program pinned to one CPU); runs alternate, medians printed.
# Then stepping: the same 40,004-instruction guest (a counting loop) single-stepped by
# kvmlab trace in kvmlab's own VMM (its rate from the command's whole wall time) and by
# kvmlab exec --trace inside the test hypervisor (the rate it prints: steps / time stepping),
# its agent on two CPUs where a second is allowed (the default) and held on one
# (KVMLAB_EXEC_ONE_CPU=1), and, where strace is
# installed, the system calls kvmlab itself makes per step under exec --trace (its agent in
# the program makes the KVM_RUN calls: no ptrace stop and no process_vm_readv per step).
set -u
: "${KVMLAB:?}" "${HV_CLASSIC:?}"
N=${EXEC_BENCH_EXITS:-100000}
RUNS=${EXEC_BENCH_RUNS:-5}
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "SKIP: /dev/kvm is missing or not usable"
	exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kvmlab-execbench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$TMP/alone"; : >"$TMP/pinned"; : >"$TMP/text"; : >"$TMP/jsonl"; : >"$TMP/ptrace"
cpu=$(cut -d' ' -f39 /proc/self/stat)
for i in $(seq "$RUNS"); do
	t0=$(ms); "$HV_CLASSIC" -n "$N" >/dev/null || exit 1; t1=$(ms)
	echo $((t1 - t0)) >>"$TMP/alone"
	t0=$(ms); taskset -c "$cpu" "$HV_CLASSIC" -n "$N" >/dev/null || exit 1; t1=$(ms)
	echo $((t1 - t0)) >>"$TMP/pinned"
	t0=$(ms); "$KVMLAB" exec -o "$TMP/log" -- "$HV_CLASSIC" -n "$N" >/dev/null || exit 1; t1=$(ms)
	echo $((t1 - t0)) >>"$TMP/text"
	how=$(sed -n 's/^observer \([a-z]*\).*/\1/p' "$TMP/log")
	t0=$(ms); "$KVMLAB" exec --format jsonl -o "$TMP/log" -- "$HV_CLASSIC" -n "$N" >/dev/null || exit 1; t1=$(ms)
	echo $((t1 - t0)) >>"$TMP/jsonl"
	t0=$(ms); "$KVMLAB" exec --observe ptrace -o "$TMP/log" -- "$HV_CLASSIC" -n "$N" >/dev/null || exit 1; t1=$(ms)
	echo $((t1 - t0)) >>"$TMP/ptrace"
done
lines=$(wc -l <"$TMP/log")
a=$(median <"$TMP/alone"); pa=$(median <"$TMP/pinned"); t=$(median <"$TMP/text"); j=$(median <"$TMP/jsonl"); p=$(median <"$TMP/ptrace")
more() { awk -v a="$a" -v t="$1" -v n="$N" 'BEGIN {printf "%+.0f%%, %+.1f us per exit", (t - a) * 100 / a, (t - a) * 1000 / n}'; }
echo "exec-bench: $N port writes, $RUNS runs each, medians ($lines log lines per run; load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  alone:                              $a ms ($(awk -v a="$a" -v n="$N" 'BEGIN {printf "%.1f", a * 1000 / n}') us per exit)"
echo "  alone, pinned to one CPU (taskset):  $pa ms ($(more "$pa"))"
echo "  kvmlab exec, $how (text):   $t ms ($(more "$t"))"
echo "  kvmlab exec, $how (jsonl):  $j ms ($(more "$j"))"
echo "  kvmlab exec --observe ptrace (text): $p ms ($(more "$p"))"

# ---- stepping: kvmlab trace vs kvmlab exec --trace on the same guest bytes ----
"$HV_CLASSIC" -C -D "$TMP/count.bin" || exit 1
: >"$TMP/own"; : >"$TMP/foreign"; : >"$TMP/one"
for i in $(seq "$RUNS"); do
	t0=$(date +%s%N)
	"$KVMLAB" trace --flat 0 --mode long -o /dev/null "$TMP/count.bin" 2>"$TMP/err" || exit 1
	t1=$(date +%s%N)
	steps=$(sed -n 's/^kvmlab: \([0-9]*\) instructions retired$/\1/p' "$TMP/err")
	awk -v s="$steps" -v t=$((t1 - t0)) 'BEGIN {printf "%.0f\n", s * 1e9 / t}' >>"$TMP/own"
	"$KVMLAB" exec --trace -o /dev/null -- "$HV_CLASSIC" -C 2>"$TMP/err" >/dev/null || exit 1
	sed -n 's/.*instructions retired (halted; \([0-9]*\) steps\/s .*)$/\1/p' "$TMP/err" >>"$TMP/foreign"
	KVMLAB_EXEC_ONE_CPU=1 "$KVMLAB" exec --trace -o /dev/null -- "$HV_CLASSIC" -C 2>"$TMP/err" >/dev/null || exit 1
	sed -n 's/.*instructions retired (halted; \([0-9]*\) steps\/s .*)$/\1/p' "$TMP/err" >>"$TMP/one"
done
o=$(median <"$TMP/own"); f=$(median <"$TMP/foreign"); f1=$(median <"$TMP/one")
ratio() { awk -v o="$o" -v f="$1" 'BEGIN {printf "%.2f", f / o}'; }
echo "exec-bench: stepping 40,004 instructions, $RUNS runs each, medians (load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  kvmlab trace (own VMM, whole process):    $o steps/s"
echo "  kvmlab exec --trace (foreign program):    $f steps/s ($(ratio "$f")x; runs: $(tr '\n' ' ' <"$TMP/foreign"))"
echo "  the same, held on one CPU:                $f1 steps/s ($(ratio "$f1")x)"
if command -v strace >/dev/null; then
	strace -c -o "$TMP/strace" "$KVMLAB" exec --trace -o /dev/null -- "$HV_CLASSIC" -C >/dev/null 2>&1
	echo "  system calls of kvmlab per step (strace -c, one run): $(awk '
		$NF ~ /^(ptrace|wait4|process_vm_readv|futex)$/ { n[$NF] = $4 }
		END { printf "ptrace %.3f, waitpid %.3f, process_vm_readv %.3f, futex %.3f",
			n["ptrace"] / 40004, n["wait4"] / 40004, n["process_vm_readv"] / 40004, n["futex"] / 40004 }' "$TMP/strace")"
else
	echo "  (system calls per step: strace is not installed)"
fi
