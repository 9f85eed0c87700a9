#!/bin/bash
# exec-bench.sh - what watching a program's ioctls from outside costs (`kvmlab exec`):
# an exit-heavy program (the test hypervisor making 100,000 port writes) alone, and under
# kvmlab exec writing the log (text and JSONL) to a file; runs alternate, medians printed.
# Then stepping: the same 40,004-instruction guest (a counting loop) single-stepped by
# kvmlab trace in kvmlab's own VMM and by kvmlab exec --trace inside the test hypervisor,
# each rate as the command itself measures it (steps / time stepping), and, where strace is
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

: >"$TMP/alone"; : >"$TMP/text"; : >"$TMP/jsonl"
for i in $(seq "$RUNS"); do
	t0=$(ms); "$HV_CLASSIC" -n "$N" >/dev/null || exit 1; t1=$(ms)
	echo $((t1 - t0)) >>"$TMP/alone"
	t0=$(ms); "$KVMLAB" exec -o "$TMP/log" -- "$HV_CLASSIC" -n "$N" >/dev/null || exit 1; t1=$(ms)
	echo $((t1 - t0)) >>"$TMP/text"
	t0=$(ms); "$KVMLAB" exec --format jsonl -o "$TMP/log" -- "$HV_CLASSIC" -n "$N" >/dev/null || exit 1; t1=$(ms)
	echo $((t1 - t0)) >>"$TMP/jsonl"
done
lines=$(wc -l <"$TMP/log")
a=$(median <"$TMP/alone"); t=$(median <"$TMP/text"); j=$(median <"$TMP/jsonl")
echo "exec-bench: $N port writes, $RUNS runs each, medians ($lines log lines per run)"
echo "  alone:                 $a ms ($(awk -v a="$a" -v n="$N" 'BEGIN {printf "%.1f", a * 1000 / n}') us per exit)"
echo "  kvmlab exec (text):    $t ms (+$(awk -v a="$a" -v t="$t" 'BEGIN {printf "%.0f", (t - a) * 100 / a}')%, $(awk -v a="$a" -v t="$t" -v n="$N" 'BEGIN {printf "%.1f", (t - a) * 1000 / n}') us more per exit)"
echo "  kvmlab exec (jsonl):   $j ms (+$(awk -v a="$a" -v t="$j" 'BEGIN {printf "%.0f", (t - a) * 100 / a}')%)"

# ---- stepping: kvmlab trace vs kvmlab exec --trace on the same guest bytes ----
"$HV_CLASSIC" -C -D "$TMP/count.bin" || exit 1
: >"$TMP/own"; : >"$TMP/foreign"
for i in $(seq "$RUNS"); do
	t0=$(date +%s%N)
	"$KVMLAB" trace --flat 0 --mode long -o /dev/null "$TMP/count.bin" 2>"$TMP/err" || exit 1
	t1=$(date +%s%N)
	steps=$(sed -n 's/^kvmlab: \([0-9]*\) instructions retired$/\1/p' "$TMP/err")
	awk -v s="$steps" -v t=$((t1 - t0)) 'BEGIN {printf "%.0f\n", s * 1e9 / t}' >>"$TMP/own"
	"$KVMLAB" exec --trace -o /dev/null -- "$HV_CLASSIC" -C 2>"$TMP/err" >/dev/null || exit 1
	sed -n 's/.*instructions retired (halted; \([0-9]*\) steps\/s)$/\1/p' "$TMP/err" >>"$TMP/foreign"
done
o=$(median <"$TMP/own"); f=$(median <"$TMP/foreign")
echo "exec-bench: stepping 40,004 instructions, $RUNS runs each, medians"
echo "  kvmlab trace (own VMM, whole process): $o steps/s"
echo "  kvmlab exec --trace (foreign program): $f steps/s ($(awk -v o="$o" -v f="$f" 'BEGIN {printf "%.2f", f / o}')x)"
if command -v strace >/dev/null; then
	strace -c -o "$TMP/strace" "$KVMLAB" exec --trace -o /dev/null -- "$HV_CLASSIC" -C >/dev/null 2>&1
	echo "  system calls of kvmlab per step (strace -c, one run): $(awk '
		$NF ~ /^(ptrace|wait4|process_vm_readv|futex)$/ { n[$NF] = $4 }
		END { printf "ptrace %.3f, waitpid %.3f, process_vm_readv %.3f, futex %.3f",
			n["ptrace"] / 40004, n["wait4"] / 40004, n["process_vm_readv"] / 40004, n["futex"] / 40004 }' "$TMP/strace")"
else
	echo "  (system calls per step: strace is not installed)"
fi
