#!/bin/sh
# test-program-labs.sh KVMLAB LABS_DIR - the labs whose submission is the student's own
# hypervisor (05-hc2023, 06-simple-kvm, 07-matrix, 08-files), graded as handed in through
# kvmlab exec: each reference solution gets full marks; the starter, an empty folder and
# our own cheats score low, each losing the points the course's rubric takes away.
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/lib.sh"

# score LAB SUB: "N/M" from the text report (the whole report is in $T/out)
score() {
	"$KVMLAB" grade --all "$1" "$2" >"$T/out" 2>&1
	sed -n 's/^Total: \([0-9]*\/[0-9]*\) points$/\1/p' "$T/out"
}
# expect LAB SUB WHAT MAX_SCORE [CHECK_THAT_MUST_FAIL...]
expect() {
	lab=$1 sub=$2 what=$3 max=$4
	shift 4
	s=$(score "$lab" "$sub")
	got=${s%/*}
	if [ -z "$got" ] || [ "$got" -gt "$max" ]; then
		bad "$(basename "$lab") $what: $s (at most $max expected)"; cat "$T/out"; return
	fi
	for c in "$@"; do
		if ! grep -Eq "^(FAIL|SKIP) +$c " "$T/out"; then
			bad "$(basename "$lab") $what: check $c passed"; cat "$T/out"; return
		fi
	done
	ok "$(basename "$lab") $what: $s"
}
full() {
	s=$(score "$1" "$2")
	if [ -n "$s" ] && [ "${s%/*}" = "${s#*/}" ]; then ok "$(basename "$1") $3: $s"
	else bad "$(basename "$1") $3: $s"; cat "$T/out"; fi
}
# a copy of a lab's solution to cheat with
cheat() {
	rm -rf "$T/$2"
	cp -r "$LABS/$1/solution" "$T/$2"
	make -s -C "$T/$2" clean >/dev/null 2>&1
}
mkdir -p "$T/empty"

# ---- 05-hc2023 -------------------------------------------------------------------
L=$LABS/05-hc2023
full "$L" "$L/solution" "reference solution"
expect "$L" "$L/starter" "starter" 5 print32-value numExits gvaToHva
expect "$L" "$T/empty" "empty submission" 0

# print32 digit by digit through print8bit: the output is right, the exits are not
cheat 05-hc2023 perdigit
python3 - "$T/perdigit/guest.c" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("""void HC_print32bit(uint32_t val)
{
	outl(HC_PRINT32, val);
}""", """void HC_print32bit(uint32_t val)
{
	char d[12];
	int n = 0;

	do
		d[n++] = (char)('0' + val % 10);
	while ((val /= 10) != 0);
	while (n)
		HC_print8bit((uint8_t)d[--n]);
	HC_print8bit('\\n');
}""")
s = s.replace("void HC_print8bit(uint8_t val)", "void HC_print8bit(uint8_t val);\nvoid HC_print8bit(uint8_t val)", 1)
open(p, "w").write(s)
PY
expect "$L" "$T/perdigit" "print32 from print8 calls" 45 print32-one-exit

# printStr one exit per character
cheat 05-hc2023 strloop
sed -i 's|\toutl(HC_PRINTSTR, (uint32_t)(uintptr_t)str);|\tfor (; *str; str++)\n\t\toutb(HC_PRINT8, (uint8_t)*str);|' "$T/strloop/guest.c"
expect "$L" "$T/strloop" "printStr one exit per character" 45 printStr-one-exit numExits

# numExits hard-coded in the hypervisor (the fixed block's b - a == 2 still holds)
cheat 05-hc2023 fakecount
sed -i 's|\t\t\t\*d = (uint32_t)vcpu->exits;|\t\t\t*d = vcpu->exits < 20 ? 3 : 5;|' "$T/fakecount/kvm-hello-world.c"
expect "$L" "$T/fakecount" "numExits hard-coded" 42 numExits

# gvaToHva answering with the guest physical address (no host address at all)
cheat 05-hc2023 nohva
sed -i 's|\t\t\tvcpu->last_hva = (uint64_t)(uintptr_t)hva;|\t\t\tvcpu->last_hva = hva ? (uint64_t)(hva - vm->mem) : 0;|' "$T/nohva/kvm-hello-world.c"
expect "$L" "$T/nohva" "gvaToHva without the host address" 41 gvaToHva s-gvaToHva

# the hypervisor prints the whole transcript on the first byte and nothing after
cheat 05-hc2023 transcript
python3 - "$T/transcript/kvm-hello-world.c" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("""		case HC_PRINT8:
			fwrite(p, run->io.size, 1, stdout);
			return 0;""", """		case HC_PRINT8:
			if (vcpu->exits == 1)
				printf("Hello, world!\\n2048\\n4294967295\\nCS 695 Assignment 3\\n17\\n19\\n"
				       "1234567\\nInvalid GVA\\n0\\n1700000000\\n");
			return 0;""")
s = s.replace("""		case HC_PRINT32:
			printf("%" PRIu32 "\\n", *d);
			return 0;
		case HC_PRINTSTR:
			hc_print_str(vm, vcpu, *d);
			return 0;""", """		case HC_PRINT32:
		case HC_PRINTSTR:
			return 0;""")
open(p, "w").write(s)
PY
expect "$L" "$T/transcript" "canned transcript" 25 print32-value printStr gvaToHva

# ports declared wrongly, or not at all
cheat 05-hc2023 noabi
rm "$T/noabi/hypercalls.yaml"
expect "$L" "$T/noabi" "no hypercalls.yaml" 0
grep -q "source .hypercalls.yaml. not found" "$T/out" && ok "05 no hypercalls.yaml: says so" ||
	{ bad "05 no hypercalls.yaml: no reason"; cat "$T/out"; }

# a Makefile that reads and writes outside its folder: the build runs in the sandbox
cheat 05-hc2023 hostile
printf 'all:\n\tcat /etc/shadow; echo pwned >/tmp/kvmlab-course-pwned; echo x >%s/written\n' "$T" \
	>"$T/hostile/Makefile"
rm -f /tmp/kvmlab-course-pwned
expect "$L" "$T/hostile" "a Makefile reaching outside" 0
if grep -q '^  root:' "$T/out" || [ -e /tmp/kvmlab-course-pwned ] || [ -e "$T/written" ]; then
	bad "05 hostile Makefile got out of its sandbox"; cat "$T/out"
else ok "05 hostile Makefile stayed in its sandbox"; fi

# ---- 06-simple-kvm ---------------------------------------------------------------
L=$LABS/06-simple-kvm
full "$L" "$L/solution" "reference solution"
expect "$L" "$L/starter" "starter" 5 numExitsByType gvaToHva
expect "$L" "$T/empty" "empty submission" 0

# numExitsByType counting every exit as IN, and a hard-coded buffer address
cheat 06-simple-kvm bytype
sed -i 's|\t\t\tif (vcpu->kvm_run->io.direction == KVM_EXIT_IO_IN)|\t\t\tif (1)|' "$T/bytype/simple-kvm.c"
expect "$L" "$T/bytype" "IN count counts every exit" 45 numExitsByType

# ---- 07-matrix ---------------------------------------------------------------------
L=$LABS/07-matrix
full "$L" "$L/solution" "reference solution"
expect "$L" "$L/starter" "starter" 0
expect "$L" "$T/empty" "empty submission" 0
# kvmlab exec's tracepoint rings too small for the Matrix's exits: the kernel drops records,
# and each such run is made again with every KVM_RUN stopped (ptrace), which loses nothing
export KVMLAB_EXEC_RING_PAGES=1
full "$L" "$L/solution" "reference solution, one-page tracepoint rings"
unset KVMLAB_EXEC_RING_PAGES
if grep -q '^  run b: the kernel dropped [0-9]* tracepoint records (its rings were full): made again with every KVM_RUN stopped' "$T/out"
then ok "07-matrix: the run that lost records was made again under ptrace, said so"
else bad "07-matrix: no run made again after lost records"; cat "$T/out"; fi

# 2a with two threads (the starter's program as matrix-a), 2b with the numbers typed in
cheat 07-matrix threads
cp "$L/starter/matrix.c" "$T/threads/matrix-a.c"
sed -i 's/^LDLIBS = -lpthread -lrt$/LDLIBS = -lpthread -lrt/' "$T/threads/Makefile"
sed -i 's/static const int share\[2\] = { FRAC_A, FRAC_B };/static const int share[2] = { 7, 3 };/' "$T/threads/matrix.c"
expect "$L" "$T/threads" "2a in two threads, 2b ignoring FRAC_A/FRAC_B" 24 a-one-thread a-alternate b55-share

# 2a that runs VM 1 twice per turn
cheat 07-matrix twice
sed -i 's|\t\tcur = !cur;    /\* the other VM.s turn \*/|\t\tif (++turns % 3 == 0)\n\t\t\tcur = !cur;|' "$T/twice/matrix-a.c"
sed -i 's|\tint cur = 0;|\tint cur = 0, turns = 0;|' "$T/twice/matrix-a.c"
expect "$L" "$T/twice" "2a not alternating on every exit" 30 a-alternate

# ---- 08-files ----------------------------------------------------------------------
L=$LABS/08-files
full "$L" "$L/solution" "reference solution"
expect "$L" "$L/starter" "starter" 4 read write
expect "$L" "$T/empty" "empty submission" 0

# a hypervisor that lets the guest out with ..
cheat 08-files escape
sed -i 's|\t\tif (n == 2 \&\& c\[0\] == .\.. \&\& c\[1\] == .\..)|\t\tif (0)|' "$T/escape/kvm-hello-world.c"
expect "$L" "$T/escape" "paths with .. served" 34 no-escape

# ---- kvmlab exec --flow: the 2024 Part 1a flowchart from an observed run ----------
cp -r "$LABS/05-hc2023/solution" "$T/flow"
make -s -C "$T/flow" clean >/dev/null 2>&1
if make -s -C "$T/flow" >/dev/null 2>&1 &&
   "$KVMLAB" exec --flow "$T/flow.dot" -o /dev/null -- "$T/flow/kvm-hello-world" -l >/dev/null; then
	missing=""
	for box in "Check that /dev/kvm speaks API version 12" "KVM_CREATE_VM on kvm" \
		   "Give the guest its memory.*slot 0, guest physical 0x0, 2048 KiB" \
		   "Map the vCPU's kvm_run area" "CR0=0x80050033 CR3=0x2000 CR4=0x20 EFER=0x500" \
		   "RIP=0x0 RSP=0x200000 RFLAGS=0x2" "KVM_RUN on vm1.vcpu0 .x[0-9]+.*exit: IO out port 0xe9 x14" \
		   "exit: KVM_EXIT_HLT x1" "RAX=0x2a"; do
		grep -Eq "$box" "$T/flow.dot" || missing="$missing [$box]"
	done
	[ -z "$missing" ] && ok "exec --flow: the boxes of kvm-hello-world -l" ||
		{ bad "exec --flow: missing$missing"; cat "$T/flow.dot"; }
	if command -v dot >/dev/null; then
		dot -Tsvg "$T/flow.dot" -o "$T/flow.svg" && dot -Tpng "$T/flow.dot" -o "$T/flow.png" &&
			grep -q "<svg" "$T/flow.svg" && [ -s "$T/flow.png" ] &&
			ok "exec --flow: graphviz renders it (SVG, PNG)" || bad "exec --flow: dot refused it"
	else
		echo "note: graphviz (dot) is not installed: rendering not tried"
	fi
else bad "exec --flow did not run"; fi

# ---- a batch of program submissions, -j 2 ------------------------------------------
L=$LABS/05-hc2023
B=$T/batch; mkdir -p "$B"
cp -r "$L/solution" "$B/good"; cp -r "$L/starter" "$B/starter"; cp -r "$T/perdigit" "$B/perdigit"
mkdir -p "$B/empty"
"$KVMLAB" grade "$L" --batch "$B" -j 2 --csv "$T/b.csv" 2>/dev/null
rc=$?
if [ $rc -eq 6 ] && grep -q '^"good",50,50,' "$T/b.csv" && grep -q '^"empty",0,50,' "$T/b.csv" &&
   [ "$(grep -c '' "$T/b.csv")" -eq 5 ]; then ok "batch of program submissions"
else bad "batch (exit $rc)"; cat "$T/b.csv"; fi
exit $fail
