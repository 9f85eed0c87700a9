#!/bin/sh
# test-lab01.sh KVMLAB LABS_DIR HV_SRC - lab 01 graded as handed in: a kvm-hello-world folder
# (here tests/hv/classic.c, our own kvm-hello-world-shaped program, with payload.S and a
# Makefile) plus answers.yaml.  The reference answers get full marks; a wrong answer loses
# exactly its check's points; a program that differs (4 MiB of memory) is graded against its
# own observed values; the flowchart is drawn into the run's folder.
set -u
KVMLAB=$1
LABS=$2
HV=$3
. "$(dirname "$0")/lib.sh"
L=$LABS/01-kvm-api

# sub NAME: a fresh submission folder with the reference answers
sub() {
	rm -rf "$T/$1"
	mkdir -p "$T/$1"
	cp "$HV/classic.c" "$T/$1/kvm-hello-world.c"
	cp "$HV/payload.S" "$(dirname "$0")/lab01/Makefile" "$L/solution/answers.yaml" "$T/$1/"
}
# answer NAME KEY VALUE: change one answer
answer() {
	sed -i "s|^$2:.*|$2: $3|" "$T/$1/answers.yaml"
}
# grade NAME: the text report in $T/out, the score "N/M" printed
grade() {
	"$KVMLAB" grade --all "$L" "$T/$1" >"$T/out" 2>&1
	sed -n 's/^Total: \([0-9]*\/[0-9]*\) points$/\1/p' "$T/out"
}
# expect NAME WHAT SCORE [FAILING_CHECK...]: that score, and exactly those checks failing
expect() {
	name=$1 what=$2 want=$3
	shift 3
	got=$(grade "$name")
	fails=$(sed -n 's/^\(FAIL\|SKIP\) *\([^ ]*\) .*/\2/p' "$T/out" | sort | tr '\n' ' ')
	wantf=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
	if [ "$got" = "$want" ] && [ "$fails" = "$wantf" ]; then ok "$what: $got"
	else bad "$what: $got (expected $want), failing: '$fails' (expected '$wantf')"; cat "$T/out"; fi
}

command -v dot >/dev/null || { echo "SKIP: graphviz's dot is not installed (apt-get install graphviz)"; exit 77; }
[ -f "$HV/classic.c" ] || { bad "no $HV/classic.c"; exit 1; }

sub ref
expect ref "reference answers" 72/72
grep -q 'run l: the flowchart kvmlab drew from it: .*/run-l/flow.svg' "$T/out" &&
	ok "the report says where the flowchart is" || { bad "no flowchart line"; cat "$T/out"; }

# the flowchart in the report folder: beside -o FILE, and beside each report of a batch
# drawn DOT: the files kvmlab drew from the observed run (SVG and DOT name the calls)
drawn() {
	grep -q '<svg' "$1.svg" && grep -q 'KVM_SET_USER_MEMORY_REGION' "$1.svg" &&
		grep -q 'KVM_RUN' "$1.svg" && [ "$(head -c 4 "$1.png" | tail -c 3)" = PNG ] &&
		grep -q 'digraph' "$1.dot"
}
mkdir -p "$T/rep"
"$KVMLAB" grade "$L" "$T/ref" -o "$T/rep/alice.txt" >"$T/out" 2>&1
drawn "$T/rep/alice.l-flow" && grep -q "flowchart kvmlab drew from it: $T/rep/alice.l-flow.svg" "$T/rep/alice.txt" &&
	ok "grade -o rep/alice.txt: rep/alice.l-flow.svg, .png, .dot, named in the report" ||
	{ bad "no drawings beside the report"; ls "$T/rep"; cat "$T/rep/alice.txt"; }
mkdir -p "$T/batch"
cp -r "$T/ref" "$T/batch/bob"
cp -r "$T/ref" "$T/batch/carol"
"$KVMLAB" grade "$L" --batch "$T/batch" -j 2 -o "$T/batchrep" >"$T/out" 2>&1
drawn "$T/batchrep/bob.l-flow" && drawn "$T/batchrep/carol.l-flow" &&
	ok "grade --batch -o DIR: DIR/NAME.l-flow.svg for each" || { bad "batch drawings"; ls "$T/batchrep"; cat "$T/out"; }

# each wrong answer loses exactly its points
sub wrong
answer wrong first_byte 0x49
expect wrong "first_byte wrong" 69/72 first_byte
answer wrong cr3_long 0x3000
answer wrong pd_entry 0x83
answer wrong ioctls_to_run "[KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_RUN]"
expect wrong "four wrong" 60/72 first_byte cr3 pd_entry ioctls_to_run
answer wrong vcpu_ioctl_handler kvm_vm_ioctl
expect wrong "and the vCPU handler" 58/72 first_byte cr3 pd_entry ioctls_to_run vcpu_ioctl_handler

# the same facts in other spellings pass
sub spell
answer spell first_byte 72
answer spell pml4_entry 0x3027
answer spell memory_size 2M
answer spell rax_at_hlt 0x2a
answer spell ioctls_to_run "kvm_get_api_version, kvm_create_vm, kvm_set_user_memory_region, kvm_create_vcpu, kvm_get_vcpu_mmap_size, kvm_get_sregs, kvm_set_sregs, kvm_set_regs, kvm_run"
expect spell "72, the Accessed bit, 2M, 0x2a, a lowercase list" 72/72

# a program that differs: 4 MiB of memory (and its stack at the top of it)
sub big
sed -i 's/^#define MEM_SIZE 0x200000$/#define MEM_SIZE 0x400000/' "$T/big/kvm-hello-world.c"
grep -q '^#define MEM_SIZE 0x400000$' "$T/big/kvm-hello-world.c" || bad "classic.c has no MEM_SIZE line"
expect big "4 MiB program, 2 MiB answers" 67/72 memory_size rsp
answer big memory_size 0x400000
answer big start_rsp 4M
expect big "4 MiB program, its own answers" 72/72

# the starter's empty answers, a folder without answers.yaml, one without a program
sub starter
cp "$L/starter/answers.yaml" "$T/starter/"
got=$(grade starter)
if [ "$got" = 3/72 ] && grep -q "has no answer yet in answers.yaml" "$T/out"; then
	ok "starter answers: $got, each 'no answer yet'"
else bad "starter answers: $got"; cat "$T/out"; fi
sub noans
rm "$T/noans/answers.yaml"
got=$(grade noans)
[ "$got" = 0/72 ] && grep -q 'answers.yaml' "$T/out" && ok "no answers.yaml: $got, named" ||
	{ bad "no answers.yaml: $got"; cat "$T/out"; }
mkdir -p "$T/empty"
got=$(grade empty)
[ "$got" = 0/72 ] && ok "empty folder: $got" || { bad "empty folder: $got"; cat "$T/out"; }

# lab build / lab run of a program lab say how it is built and graded instead
"$KVMLAB" lab run "$L" "$T/ref" >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "the submission is your own program: build it with make" "$T/out" &&
	ok "lab run 01: how to build, watch and grade it" || { bad "lab run 01: $rc"; cat "$T/out"; }

# observed: values are refused where they cannot be had, with the line and what to write
# refused SED GREP WHAT: lab.yaml edited with SED is refused (status 2) with a line matching GREP
refused() {
	mkdir -p "$T/badlab"
	sed "$1" "$L/lab.yaml" >"$T/badlab/lab.yaml"
	"$KVMLAB" grade "$T/badlab" "$T/ref" >"$T/out" 2>&1
	rc=$?
	[ $rc = 2 ] && grep -q "$2" "$T/out" && ok "$3" || { bad "$3: status $rc"; cat "$T/out"; }
}
refused 's/expect: "observed:walk_entry:PML4"/expect: "observed:walk_entry:PML9"/' \
	"lab.yaml:[0-9]*:[0-9]*: .*walk_entry needs a page-table level" "a bad level: refused at load, with its line"
refused 's/expect: "observed:io_exits"/expect: "observed:io_exitz"/' \
	"unknown observed value 'io_exitz' (known: memory_size" "an unknown observed value: refused, the known ones listed"
refused 's/expect: "observed:io_byte:1"/expect: "observed:io_byte:0"/' \
	"io_byte needs a count from 1 to 64" "io_byte:0: refused"

exit $fail
