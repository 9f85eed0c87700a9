#!/usr/bin/env bash
# trace.sh - kvmlab trace, walk and diff against real KVM: step counts, explanations at the
# exact instructions, traced == untraced, determinism, breakpoints, watches, post-mortem.
set -u
: "${KVMLAB:?set KVMLAB to the kvmlab binary}"
if [ ! -c /dev/kvm ] || ! exec 3<>/dev/kvm; then
	echo "SKIP: /dev/kvm is missing or not usable"; exit 77
fi
exec 3>&-
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ $# -gt 1 ] && echo "$2" | head -20; }
expect() { # name, haystack, needle (fixed string)
	if grep -qF -- "$3" <<<"$2"; then ok "$1"; else bad "$1: missing '$3'" "$2"; fi
}

# Step counts equal the guests' known instruction counts (guests/README.md).
for spec in "hello real 77" "hello protected 76" "hello long 76" "boot real 50" "pagetest-64 long 18"; do
	set -- $spec
	out=$("$KVMLAB" trace "$1" --mode "$2" 2>&1 >/dev/null)
	expect "$1 in $2 mode: $3 instructions" "$out" "kvmlab: $3 instructions retired"
done

# The boot guest's story, at the exact instructions.
out=$("$KVMLAB" trace boot 2>/dev/null)
line() { grep -E "^ +$1 " <<<"$out" -A1; }
expect "step 7 lgdt explained, the table decoded" "$(line 7)" "GDTR <- base 0x10b8, limit 0x27 (5 descriptors: 0x08 32-bit code base 0x0 limit 0xffffffff, 0x10 data base 0x0 limit 0xffffffff, 0x18 64-bit code"
expect "step 10 enters protected mode" "$(line 10)" "CR0.PE set: the CPU enters protected mode"
expect "step 11 is in 16-bit protected mode (CS still holds its real-mode cache)" "$(line 11)" "protected-16     jmp far 0x0008:0x00001023"
expect "step 12 is in 32-bit protected mode" "$(line 12)" "protected        "
expect "step 26 sets CR4.PAE" "$(line 26)" "CR4.PAE set"
expect "step 32 sets EFER.LME" "$(line 32)" "EFER.LME set (MSR 0xC0000080)"
expect "step 35 turns paging and LMA on" "$(line 35)" "EFER.LMA turned on: long mode is active"
expect "step 36 runs in compat mode" "$(line 36)" "compat           jmp far 0x0018:0x00001087"
expect "step 36 loads a 64-bit CS" "$(line 36)" "a 64-bit code segment (L=1): the CPU is now in 64-bit mode"
expect "step 37 is in long mode" "$(line 37)" "long             mov ax, 0x20"
expect "step 50 HLT ends the trace" "$(line 50)" "HLT: a VM exit (KVM_EXIT_HLT): the vCPU halts with RAX=42"
if grep -qE '^ +51 ' <<<"$out"; then bad "the trace runs past the HLT"; else ok "nothing after the HLT"; fi

# Traced and untraced runs end in the same state, with the same output.
for g in "hello --mode real" "hello --mode long" "boot" "pagetest-64"; do
	r=$("$KVMLAB" run $g 2>&1); t=$("$KVMLAB" trace $g 2>&1 >/dev/null | grep -v 'instructions retired')
	ro=$("$KVMLAB" run $g 2>/dev/null); to=$("$KVMLAB" trace $g -o /dev/null 2>/dev/null)
	if [ "$(grep 'kvmlab:' <<<"$r")" = "$(grep 'kvmlab:' <<<"$t")" ] && [ "$ro" = "$to" ]; then
		ok "trace of $g ends like run"
	else
		bad "trace of $g ends differently" "run: $r"$'\n'"trace: $t"
	fi
done

# Guests no one here wrote (tests/guests): traced and untraced runs give the same output and
# end state; real-mode code at CS=0x07c0 and string I/O included.  The trace's console labels
# what kvmlab's own hypercall handlers print ("[kvmlab's print32] 832040"); kvmlab run does not.
TG=${TEST_GUESTS_DIR:-$(dirname "$KVMLAB")/tests}
for g in "--flat 0x8000 --mode protected $TG/pm-outsb.bin" "--flat 0x7c00 --mode real $TG/bootsect.bin" \
	 "--mem 4M $TG/c-guest-64" "--mem 4M $TG/c-guest-32"; do
	r=$("$KVMLAB" run $g 2>&1); t=$("$KVMLAB" trace $g -o "$tmp/f.txt" 2>&1)
	n=$(grep -c '^ *[0-9]' "$tmp/f.txt")
	case $g in
	*c-guest*) grep -qx "\[kvmlab's print32\] 832040" <<<"$t" && ok "trace of ${g##*/}: kvmlab's print32 labelled" ||
		bad "trace of ${g##*/}: print32 not labelled" "$t" ;;
	esac
	t=$(sed "s/\[kvmlab's [A-Za-z0-9]*\] //g" <<<"$t")
	if [ "$r" = "$(grep -v 'instructions retired' <<<"$t")" ] && grep -q "halted" <<<"$r" &&
	   grep -q "kvmlab: $n instructions retired" <<<"$t"; then
		ok "trace of ${g##*/} ends like run ($n steps)"
	else
		bad "trace of ${g##*/} differs from run" "run: $r"$'\n'"trace: $t"
	fi
done
# A REP string instruction is one step however many exits its elements take.
out=$("$KVMLAB" trace --flat 0x8000 --mode protected "$TG/pm-outsb.bin" 2>&1 >/dev/null)
expect "pm-outsb: 11 instructions (rep outsb and rep outsw count once)" "$out" "kvmlab: 11 instructions retired"
out=$("$KVMLAB" trace --flat 0x8000 --mode protected "$TG/pm-outsb.bin" -o /dev/stdout 2>/dev/null)
expect "rep outsb explained as string I/O" "$out" "string OUT to port 0xE9 (console): 50 elements of 1 byte"
out=$("$KVMLAB" trace --flat 0x7c00 --mode real "$TG/bootsect.bin" 2>/dev/null)
expect "real-mode CS:IP after the far jump to 0x07c0" "$out" "07c0:"

# MMIO: a store and a load outside guest memory (protected mode, no paging), in raw bytes:
# mov dword [0x300000], 0x12345678; mov eax, [0x300000]; hlt
printf '\xc7\x05\x00\x00\x30\x00\x78\x56\x34\x12\xa1\x00\x00\x30\x00\xf4' >"$tmp/mmio.bin"
out=$("$KVMLAB" trace --flat 0x1000 --mode protected "$tmp/mmio.bin" 2>&1)
expect "MMIO write explained" "$out" "MMIO write of 4 bytes at 0x300000: no RAM there, so KVM exits to the VMM (KVM_EXIT_MMIO); no device either, so the write is dropped"
expect "MMIO read reads as all ones" "$out" "rax 0x0->0xffffffff"
expect "MMIO guest: 3 instructions" "$out" "kvmlab: 3 instructions retired"
out=$("$KVMLAB" run --flat 0x1000 --mode protected --stats "$tmp/mmio.bin" 2>&1)
expect "MMIO exits counted by type" "$out" "  MMIO write      1"

# Determinism and valid JSON Lines.
"$KVMLAB" trace boot --format jsonl -o "$tmp/a.jsonl" 2>/dev/null
"$KVMLAB" trace boot --format jsonl -o "$tmp/b.jsonl" 2>/dev/null
out=$("$KVMLAB" diff "$tmp/a.jsonl" "$tmp/b.jsonl"); rc=$?
[ $rc -eq 0 ] && expect "two traces of boot are identical" "$out" "traces are identical (50 steps)" || bad "diff of identical traces: $rc" "$out"
if python3 -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    o=json.loads(l); n+=1
    assert {"step","pc","asm","bytes","mode","changed"} <= o.keys()
assert n == 50' "$tmp/a.jsonl"; then ok "JSONL parses with python3, 50 objects"; else bad "JSONL does not parse"; fi

# Without SYNC_REGS (registers through KVM_GET_REGS/KVM_GET_SREGS) the trace is the same.
KVMLAB_NO_SYNC_REGS=1 "$KVMLAB" trace boot --format jsonl -o "$tmp/nosync.jsonl" 2>/dev/null
out=$("$KVMLAB" diff "$tmp/a.jsonl" "$tmp/nosync.jsonl"); rc=$?
[ $rc -eq 0 ] && ok "the GET_REGS fallback gives the same trace" || bad "fallback trace differs" "$out"

# Guest memory reached only through the tvcpu's read/write ops (as for a vCPU in another
# program): the same trace, page walks included.
KVMLAB_TVCPU_INDIRECT=1 "$KVMLAB" trace boot --walk --format jsonl -o "$tmp/ind.jsonl" 2>/dev/null
"$KVMLAB" trace boot --walk --format jsonl -o "$tmp/dir.jsonl" 2>/dev/null
out=$("$KVMLAB" diff "$tmp/dir.jsonl" "$tmp/ind.jsonl"); rc=$?
[ $rc -eq 0 ] && [ -s "$tmp/ind.jsonl" ] && ok "memory through the tvcpu ops gives the same trace" || bad "indirect-memory trace differs" "$out"

# diff finds the first divergence; bad files get the line and the problem.
"$KVMLAB" trace hello --mode long --format jsonl -o "$tmp/h.jsonl" 2>/dev/null
out=$("$KVMLAB" diff "$tmp/a.jsonl" "$tmp/h.jsonl"); rc=$?
[ $rc -eq 6 ] && expect "diff reports the first divergent step" "$out" "traces diverge at step 1" || bad "diff of different traces: rc $rc" "$out"
head -c 500 "$tmp/a.jsonl" >"$tmp/trunc.jsonl"
out=$("$KVMLAB" diff "$tmp/a.jsonl" "$tmp/trunc.jsonl" 2>&1); rc=$?
[ $rc -eq 2 ] && expect "truncated JSONL: line number" "$out" ": the last line has no newline: the file is truncated" || bad "truncated: rc $rc" "$out"
printf '{"a":1}\n' >"$tmp/foreign.jsonl"
out=$("$KVMLAB" diff "$tmp/foreign.jsonl" "$tmp/a.jsonl" 2>&1); rc=$?
[ $rc -eq 2 ] && expect "foreign JSONL" "$out" "foreign.jsonl:1: a JSON object, but not a kvmlab trace step" || bad "foreign: rc $rc" "$out"
printf '{"step":1,"pc":"0x1000",}\n' >"$tmp/broken.jsonl"
out=$("$KVMLAB" diff "$tmp/broken.jsonl" "$tmp/a.jsonl" 2>&1)
expect "broken JSON" "$out" "broken.jsonl:1: not valid JSON at column 25: unexpected character"

# Breakpoints, watches, limits.
out=$("$KVMLAB" trace boot --break 0x1087 2>&1 >/dev/null)
expect "breakpoint at the first 64-bit instruction" "$out" "breakpoint 0x1087 (long_mode) reached after 36 instructions"
out=$("$KVMLAB" trace hello --mode long --watch 0x400:8 2>&1 >/dev/null)
expect "watch on 0x400 stops at the store of 42" "$out" "write to watched address 0x400 reached"
out=$("$KVMLAB" trace boot --break 0x7fff0000 2>&1); rc=$?
[ $rc -eq 1 ] && expect "unmapped breakpoint is refused" "$out" "breakpoint at 0x7fff0000: that address is not mapped" || bad "unmapped break rc $rc" "$out"
out=$("$KVMLAB" trace boot --hbreak 0x1087 2>&1 >/dev/null)
expect "hardware breakpoint at the first 64-bit instruction" "$out" "breakpoint 0x1087 (long_mode) reached after 36 instructions"
out=$("$KVMLAB" run boot --hbreak 0x1087 2>&1 >/dev/null)
expect "run --hbreak stops there too" "$out" "breakpoint 0x1087 (long_mode) reached after 36 instructions"
out=$("$KVMLAB" run boot --break 0x1087 --watch 0x400:8 2>&1 >/dev/null)
expect "run --break stops before the later watch" "$out" "breakpoint 0x1087 (long_mode) reached"
out=$("$KVMLAB" trace boot --hbreak 0x1000 --hbreak 0x1001 --watch 0x400 --watch 0x401 --watch 0x402 2>&1); rc=$?
[ $rc -eq 1 ] && expect "five debug registers are refused" "$out" "the CPU has 4 debug address registers, shared by --hbreak and --watch" || bad "DR slots rc $rc" "$out"
out=$("$KVMLAB" trace loop-64 --max-steps 1000 2>&1 >/dev/null); rc=$?
[ $rc -eq 5 ] && expect "instruction limit" "$out" "instruction limit reached" || bad "max-steps rc $rc" "$out"

# A faulting guest: the post-mortem with the last steps and a page walk.
out=$("$KVMLAB" trace ud2-64 2>&1); rc=$?
[ $rc -eq 4 ] && expect "ud2 post-mortem" "$out" "post-mortem: the last 1 steps" || bad "ud2 rc $rc" "$out"
expect "ud2 post-mortem walk" "$out" "page walk of the faulting instruction's address"
expect "ud2 explained" "$out" "triple fault (KVM_EXIT_SHUTDOWN)"

# A page fault: the post-mortem walks CR2 too. mov rdx, 0x40000000; mov al, [rdx]; hlt
printf '\x48\xba\x00\x00\x00\x40\x00\x00\x00\x00\x8a\x02\xf4' >"$tmp/pf.bin"
out=$("$KVMLAB" trace --flat 0x1000 --mode long "$tmp/pf.bin" 2>&1); rc=$?
[ $rc -eq 4 ] && expect "page fault explained with CR2" "$out" "this instruction page-faulted at CR2=0x40000000" || bad "page fault rc $rc" "$out"
expect "post-mortem walks CR2" "$out" "CR2 = 0x40000000: a page fault at that address started it; its walk:"
expect "CR2 walk stops at the PDPT" "$out" "stops at PDPT[1]: not present (P=0)"

# A trace that cannot be written is an error (exit 1) with the reason, whatever the guest did.
if [ -w /dev/full ]; then
	out=$("$KVMLAB" trace hello -o /dev/full 2>&1); rc=$?
	[ $rc -eq 1 ] && expect "trace -o /dev/full fails" "$out" "kvmlab: writing the trace to /dev/full: No space left on device" || bad "trace -o /dev/full rc $rc" "$out"
	out=$("$KVMLAB" trace hello --format jsonl 2>&1 >/dev/full); rc=$?
	[ $rc -eq 1 ] && expect "trace >/dev/full fails" "$out" "kvmlab: writing the trace to standard output: No space left on device" || bad "trace >/dev/full rc $rc" "$out"
fi

# Page walks match hand-computed ones (boot's own tables at 0x2000/0x3000/0x4000).
out=$("$KVMLAB" walk boot --at 36)
expect "walk PML4 entry" "$out" "PML4[  0] bits 47..39  @0x2000    entry 0x0000000000003023"
expect "walk PD 2 MiB page" "$out" "PD  [  0] bits 29..21  @0x4000    entry 0x00000000000000e3  P RW A D PS -> 2 MiB page 0x0"
expect "walk agrees with KVM_TRANSLATE" "$out" "KVM_TRANSLATE: physical 0x1087  (agrees)"
out=$("$KVMLAB" walk hello --mode long --4k-pages --addr 0x1234)
expect "4 KiB page walk ends in a PT" "$out" "PT  [  1] bits 20..12"
expect "4 KiB page walk result" "$out" "= physical 0x0000000000001234"
out=$("$KVMLAB" walk hello --mode long --addr 0x40000000)
expect "unmapped address stops at PDPT[1]" "$out" "stops at PDPT[1]: not present (P=0)"
out=$("$KVMLAB" walk hello --mode real --addr DS:0x400)
expect "SEG:OFF names the segment and its base" "$out" "logical ds:0x400 = linear 0x400 (ds base 0x0 + offset)"
expect "SEG:OFF then walks the linear address" "$out" "linear 0x00000400 = physical 0x00000400 (paging off)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
