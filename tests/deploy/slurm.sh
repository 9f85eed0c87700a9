#!/bin/sh
# slurm.sh KVMLAB LABS_DIR - a real single-node Slurm (munged, slurmctld, slurmd from Debian,
# started here on private ports and a private munge socket, stopped at the end) grades a
# class in 4 shards with the scripts `kvmlab lab export 04 --slurm` writes: a job array,
# then the merge as a job that depends on it.  BENCH=N grades N submissions and prints the
# total time (the benchmark).
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/lib.sh"
for p in munged slurmctld slurmd sbatch squeue sinfo scontrol; do
	command -v $p >/dev/null || { echo "SKIP: $p is not installed (apt-get install slurm-wlm munge)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: slurmd runs jobs as their user and needs root here"; exit 77; }
L=$LABS/04-hypercalls
H=$(hostname -s)
S=$T/slurm; mkdir -p "$S/state" "$S/spool"
ports=$(python3 -c 'import socket
ss=[socket.socket() for _ in range(2)]
[s.bind(("127.0.0.1", 0)) for s in ss]
print(" ".join(str(s.getsockname()[1]) for s in ss))')
set -- $ports
dd if=/dev/urandom of="$S/munge.key" bs=1024 count=1 2>/dev/null; chmod 400 "$S/munge.key"
cat >"$S/slurm.conf" <<CONF
ClusterName=kvmlabtest
SlurmctldHost=$H(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$1
SlurmdPort=$2
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge.sock
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$H NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=grade Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
SLURM_CONF=$S/slurm.conf; export SLURM_CONF
cluster_stop() {
	scontrol shutdown >/dev/null 2>&1
	for _ in $(seq 50); do pgrep -F "$S/slurmctld.pid" >/dev/null 2>&1 || pgrep -F "$S/slurmd.pid" >/dev/null 2>&1 || break; sleep 0.1; done
	for f in slurmd slurmctld munged; do [ -s "$S/$f.pid" ] && kill "$(cat "$S/$f.pid")" 2>/dev/null; done
}
trap 'cluster_stop; rm -rf "$T"' EXIT
munged --key-file="$S/munge.key" --socket="$S/munge.sock" --pid-file="$S/munged.pid" \
	--log-file="$S/munged.log" --seed-file="$S/munge.seed" --force || { bad "munged did not start"; exit 1; }
slurmctld -i || { bad "slurmctld did not start"; cat "$S/slurmctld.log"; exit 1; }
slurmd || { bad "slurmd did not start"; cat "$S/slurmd.log"; exit 1; }
for _ in $(seq 100); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 0.1; done
sinfo -h -o %t | grep -q idle && ok "a single-node Slurm: $H idle" || { bad "the node is not idle"; sinfo; tail "$S/slurmd.log"; exit 1; }

# a class: N submissions (solutions and starters), some as archives
N=${BENCH:-12}
mkdir -p "$T/class"
i=0
while [ $i -lt "$N" ]; do
	i=$((i + 1)); id=$(printf 's%04d' $i)
	if [ $((i % 4)) = 0 ]; then src=$L/starter; else src=$L/solution; fi
	if [ $((i % 3)) = 0 ]; then (cd "$src" && tar czf "$T/class/${id}_a2.tar.gz" ./*); else cp -r "$src" "$T/class/$id"; fi
done
"$KVMLAB" lab export 04 --slurm "$T/job" 2>/dev/null && [ -x "$T/job/grade.sbatch" ] && [ -x "$T/job/merge.sbatch" ] &&
	ok "lab export --slurm: grade.sbatch and merge.sbatch" || bad "export --slurm"
t0=$(date +%s.%N)
jid=$(sbatch --parsable --cpus-per-task=1 --array=1-4 --chdir="$T" "$T/job/grade.sbatch" "$T/class" "$T/out")
mid=$(sbatch --parsable --dependency=afterok:"$jid" --chdir="$T" "$T/job/merge.sbatch" "$T/out")
[ -n "$jid" ] && [ -n "$mid" ] && ok "submitted: array $jid (4 tasks), merge $mid after it" || bad "sbatch"
for _ in $(seq $((N * 20 + 600))); do squeue -h 2>/dev/null | grep -q . || break; sleep 0.2; done
t1=$(date +%s.%N)
state=$(scontrol show job "$mid" 2>/dev/null | sed -n 's/.*JobState=\([A-Z]*\).*/\1/p')
[ "$state" = COMPLETED ] && ok "the merge job completed" || { bad "merge job: $state"; cat "$T"/kvmlab-*.out; }
ls "$T/out"/shard-*-of-4.json 2>/dev/null | wc -l | grep -q '^4$' && ok "4 shards, one per array task" || bad "shards: $(ls "$T/out")"
python3 - "$T/out/grades.csv" "$N" <<'PY' && ok "merged: every submission once, solutions 50, starters below" || bad "merged CSV"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
n = int(sys.argv[2])
assert len(rows) == n and len({r["submission"] for r in rows}) == n, len(rows)
for r in rows:
    i = int(r["submission"][1:])
    assert (int(r["score"]) < 50) == (i % 4 == 0), r
PY
for f in gradescope.csv moodle.csv grades.json; do [ -s "$T/out/$f" ] || bad "$f missing"; done
python3 -c "print('bench: slurm %d submissions in 4 shards: %.1f s total (%.3f s per submission)' % ($N, $t1 - $t0, ($t1 - $t0) / $N))"
exit $fail
