#!/bin/sh
# bench-program-labs.sh KVMLAB LABS_DIR - grading time of the program labs (the student's own
# hypervisor under kvmlab exec): one reference solution, median of 5, with the build and
# without it; then a batch of N submissions (default 200; BATCH_N overrides) of each lab
# with -j 2, a quarter of them starters, builds included (BATCH_N_07 sets the Matrix's
# batch apart: each of its gradings runs the program for 5 s; BENCH_LABS names the labs,
# default all four).
set -u
KVMLAB=$1
LABS=$2
N=${BATCH_N:-200}
BENCH_LABS=${BENCH_LABS:-05-hc2023 06-simple-kvm 07-matrix 08-files}
if [ ! -w /dev/kvm ]; then echo "SKIP: /dev/kvm is not usable here"; exit 77; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for name in $BENCH_LABS; do
	L=$LABS/$name
	: >"$T/all"; : >"$T/run"
	for i in 1 2 3 4 5; do
		KVMLAB_GRADE_TIMING=1 "$KVMLAB" grade "$L" "$L/solution" 2>"$T/err" >/dev/null
		sed -n 's/^kvmlab: timing: build \([0-9.]*\) s, run and checks \([0-9.]*\) s$/\1 \2/p' "$T/err" |
			awk -v a="$T/all" -v r="$T/run" '{ print $1 + $2 >> a; print $2 >> r }'
	done
	echo "$name: one submission, median of 5: $(median <"$T/all") s with the build, $(median <"$T/run") s without"
done
for name in $BENCH_LABS; do
	L=$LABS/$name
	n=$N
	[ "$name" = 07-matrix ] && n=${BATCH_N_07:-$N}
	rm -rf "$T/b"; mkdir -p "$T/b"
	i=0
	while [ $i -lt "$n" ]; do
		if [ $((i % 4)) -eq 3 ]; then cp -r "$L/starter" "$T/b/s$i"; else cp -r "$L/solution" "$T/b/s$i"; fi
		i=$((i + 1))
	done
	start=$(date +%s.%N)
	"$KVMLAB" grade "$L" --batch "$T/b" -j 2 --timeout 120 --csv "$T/b.csv" 2>/dev/null
	end=$(date +%s.%N)
	full=$(grep -c '^"s[0-9]*",\([0-9]*\),\1,' "$T/b.csv" || true)
	echo "$name: batch of $n with -j 2 (builds included): $(echo "$end - $start" | bc) s," \
	     "$(echo "scale=3; ($end - $start) / $n" | bc) s per submission, $full with full marks"
done
