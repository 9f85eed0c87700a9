#!/bin/bash
# explain.sh - every explanation template on real KVM: the corpus guests in tests/guests
# (explain-64, explain-16, int-64, int-short-64, rsvd-64, rsvd-nx-64) and built-in ones, each
# sentence form asserted at its instruction, the forms an audit found wrong asserted absent,
# and the instruction counts checked against the guests' known counts, also where this host's
# single-step trap comes late (then the trace must say so, in text and in JSONL).
set -u
. "$(dirname "$0")/lib.sh"
require_kvm

G=$TEST_GUESTS_DIR
T=$TMP/trace.txt

# trace STATUS ARGS...: kvmlab trace ARGS -o $T (the trace in $T, the console on stdout).
trace() {
	local want=$1
	shift
	run_kvmlab "$want" trace -o "$T" "$@"
}

# The trace has the fixed string $1 / lacks the wrong form $1.
has() {
	if grep -qF -- "$1" "$T"; then pass "says '$1'"; else fail "does not say '$1'"; fi
}
lacks() {
	if grep -qF -- "$1" "$T"; then fail "still says the wrong '$1'"; else pass "does not say '$1'"; fi
}

# The count line: exactly N instructions; if this host's trap came late in some steps, the
# trace says so at those steps, and not otherwise.
count_is() {
	expect_err "kvmlab: $1 instructions retired"
	expect_no_err "at least"
	if grep -qE "instructions retired in [0-9]+ steps" "$TMP/err"; then
		check "steps with a late trap are explained" grep -qF "the single-step trap came late: the CPU also ran" "$T"
	else
		check "no step claims a late trap" sh -c "! grep -qF 'the single-step trap came late' '$T'"
	fi
}

CASE="explain-64 (long mode: instructions, MSRs, control registers, tables, #GP, CPL 3)"
trace 0 --flat 0x1000 --mode long "$G/explain-64.bin"
count_is 91
has "CLI: IF was already clear: maskable interrupts are held off"
has "POPF set IF: maskable interrupts are enabled"
has "CLI: IF cleared"
has "STI: IF set: maskable interrupts are accepted again, from after the next instruction"
has "CPUID leaf 0x80000008: always a VM exit under VMX, handled inside KVM from the table kvmlab gave with KVM_SET_CPUID2"
has "RDTSC: EDX:EAX <- the time-stamp counter"
has "IN from port 0xE9 (console): a VM exit (KVM_EXIT_IO); the console answers 0xE9 in every byte (the Bochs convention, so a guest can detect it): AL <- 0xe9"
lacks "no device there, it reads as all ones"
has "OUT to port 0xE9 (console): AX = 0x4241, 2 bytes printed as 'AB'; a VM exit (KVM_EXIT_IO)"
has "WRMSR IA32_KERNEL_GS_BASE (MSR 0xC0000102) <- 0x9000: nothing changes yet; SWAPGS will exchange it with GS.base"
has "WRMSR IA32_FS_BASE (MSR 0xC0000100): FS.base <- 0x7000; only the hidden base changed, no selector was loaded (FS is still 0x10)"
lacks "FS <- 0x10: 32-bit data"
has "SWAPGS: GS.base 0x0 <-> IA32_KERNEL_GS_BASE (MSR 0xC0000102): GS.base is now 0x9000"
has "SWAPGS: GS.base 0x9000 <-> IA32_KERNEL_GS_BASE (MSR 0xC0000102): GS.base is now 0x0"
has "CR3 <- 0x1fd018: the PML4 table is now at physical 0x1fd000; PWT=1, PCD=1"
lacks "the top-level page table is now at that physical address"
has "CR0.WP cleared: supervisor code (CPL 0-2) may now write to read-only pages"
has "CR0.WP set: supervisor writes now honour read-only pages"
has "CR4.PGE set: pages with G=1 are global: their TLB entries survive CR3 writes"
has "CR4.PGE cleared: global pages are off"
has "PD[5] <- 0x8000000000a00087: a page-table entry changed (P=1, but bit 63 (NX) is reserved while EFER.NXE=0: a walk through it raises #PF with RSVD=1)"
has "PD[5] <- 0x0: a page-table entry changed (not present: an access through it raises #PF); the TLB may still hold the old translation until INVLPG"
has "INVLPG: the TLB forgets its translation of linear 0xa00000"
has "0x30 64-bit code base 0x0 limit 0xffffffff, 0x38 TSS (available) base 0x6000 limit 0x67)"
has "TR <- 0x38: the task-state segment at base 0x6000, limit 0x67"
has "LDTR <- 0x48: the local descriptor table at base 0x6100, limit 0x17: selectors with TI=1 now index it"
has "IDTR <- base 0x8000, limit 0xfff (256 vectors)"
has "exception #GP (vector 13): this instruction faulted and the CPU delivered it through the IDT gate at 0x80d0 to the handler at 0018:"
has "the address 0x800000000000 is not canonical (bits 63..47 must all equal bit 47), which is what raised it"
has "CS <- 0x8: 32-bit code, base 0x0, limit 0xffffffff, DPL 0 (L=0) while EFER.LMA=1: the CPU leaves 64-bit mode for compatibility mode"
has "  compat           jmp far 0x0018:"
has "CS <- 0x18: a 64-bit code segment (L=1): the CPU is now in 64-bit mode"
lacks "long mode proper"
has "IRETQ: back to 0033:"
has "at CPL 3, RFLAGS restored from the stack; the return is to an outer privilege level, so it also popped SS:RSP"
has "HLT: a VM exit (KVM_EXIT_HLT): the vCPU halts with RAX=42"
has "(IF=0: only an NMI, SMI or INIT could wake this CPU"
expect_out "AB"
# JSON Lines: the same run, with the count carried by the steps' retired objects.
run_kvmlab 0 trace -o "$TMP/t.jsonl" --format jsonl --flat 0x1000 --mode long "$G/explain-64.bin"
check "JSONL: the retired counts add up to 91 and the late steps name what ran" python3 -c '
import json, sys
n, late = 0, 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    r = o.get("retired")
    n += r["count"] if r else 1
    if r and r["skipped"]:
        late += 1
        assert r["exact"] and all(s["pc"].startswith("0x") and s["asm"] for s in r["skipped"])
        assert "the single-step trap came late" in o["explain"]
assert n == 91, n
print("retired", n, "late steps", late)' "$TMP/t.jsonl"

CASE="explain-16 (real mode: IVT at 0x2000, 16-bit protected mode, unreal mode)"
trace 0 --flat 0x1000 --mode real "$G/explain-16.bin"
count_is 23
has "IDTR <- base 0x2000, limit 0x3ff (real mode: an IVT of 4-byte entries, 256 vectors)"
has "INT 33: FLAGS, CS and IP pushed, IF and TF cleared, and the CPU jumped to the handler the IVT entry at 0x2084 (IDTR.base 0x2000 + 4*33) names, 0000:"
lacks "IVT entry at 0x84 "
has "IRET: IP, CS and FLAGS popped: back to 0000:1014"
has "IN from port 0xE9 (console): a VM exit (KVM_EXIT_IO); the console answers 0xE9"
has "CR0.PE set: the CPU enters protected mode, but the segment caches keep their real-mode contents (CS base 0x0, 16-bit) until each register is reloaded; a far jump is what loads CS from the GDT"
lacks "segment registers now select GDT descriptors"
has "  protected-16     jmp far 0x0008:"
has "DS <- 0x10: read/write data, base 0x0, limit 0xffffffff, DPL 0"
lacks "32-bit data"
has "CR0.PE cleared: real mode, but the segment caches keep their protected-mode limits and attributes until each register is reloaded: unreal mode (CS, DS reach past 64 KiB); CS keeps D=1, so code still runs as 32-bit until a far jump reloads CS"
lacks "CR0.PE cleared: back to real mode"
has "  unreal           mov eax, 0x12345678"
has "[0x100000] <- 78 56 34 12"
has "CS <- 0x0: in real mode a segment load sets only the selector and the base (0x0); the cache keeps its limit 0xffffffff and D=1, so code still runs as 32-bit"
has "  unreal           mov eax, 0x2A"
run_kvmlab 0 trace -o "$TMP/r.jsonl" --format jsonl --flat 0x1000 --mode real "$G/explain-16.bin"
check "JSONL: mode labels and decoding width follow the CS cache" python3 -c '
import json, sys
steps = {o["step"]: o for o in map(json.loads, open(sys.argv[1]))}
assert (steps[1]["mode"], steps[1]["bits"]) == ("real", 16), steps[1]
assert (steps[13]["mode"], steps[13]["bits"]) == ("protected-16", 16), steps[13]
assert (steps[14]["mode"], steps[14]["bits"]) == ("protected", 32), steps[14]
assert (steps[19]["mode"], steps[19]["bits"]) == ("unreal", 32), steps[19]
assert steps[19]["asm"] == "mov eax, 0x12345678", steps[19]' "$TMP/r.jsonl"
run_kvmlab 0 trace -o "$TMP/r2.jsonl" --format jsonl --flat 0x1000 --mode real "$G/explain-16.bin"
run_kvmlab 0 diff "$TMP/r.jsonl" "$TMP/r2.jsonl"
expect_out "traces are identical (23 steps)"

CASE="int-64 (INT 0x30 through a 16-byte gate)"
trace "4|0" --flat 0x1000 --mode long "$G/int-64.bin"
if [ "$STATUS" = 4 ]; then
	# This host (PVM) cannot deliver it: nothing was delivered, and the trace must not say so.
	has "INT 48: not delivered (RIP is still 0x1043, the INT's own address): KVM stopped with KVM_EXIT_INTERNAL_ERROR while delivering it"
	lacks "the CPU delivered vector 48"
else
	has "INT 48: the CPU delivered vector 48 through an interrupt gate (IF cleared) at 0x8300 (IDTR.base + 48*16) to 0018:"
	has "HLT: a VM exit (KVM_EXIT_HLT): the vCPU halts with RAX=42"
fi

CASE="int-short-64 (the IDT limit cuts off the gate of vector 0x30)"
trace 4 --flat 0x1000 --mode long "$G/int-short-64.bin"
has "INT 48: not delivered: its gate at IDTR.base + 0x300 lies past the IDT limit 0x2ff, so the CPU raises #GP (error code 0x182: vector*8 + 2, IDT bit set) instead"
lacks "the CPU delivered vector 48"

CASE="rsvd-64 (a PDE with bit 50 set: reserved above MAXPHYADDR)"
maxphy=$(sed -n 's/^address sizes[^0-9]*\([0-9]*\) bits physical.*/\1/p' /proc/cpuinfo | head -1)
if [ "${maxphy:-52}" -gt 50 ]; then
	echo "     (skipped: this host's MAXPHYADDR ${maxphy:-?} makes bit 50 an address bit)"
else
	trace 4 --flat 0x1000 --mode long --mem 4M "$G/rsvd-64.bin"
	has "PD[1] <- 0x4000000200083: a page-table entry changed (P=1, but it sets address bits at or above MAXPHYADDR, which are reserved: a walk through it raises #PF with RSVD=1)"
	has "triple fault (KVM_EXIT_SHUTDOWN): this instruction page-faulted at CR2=0x200000, delivering that #PF faulted too (a double fault, #DF), and delivering the #DF faulted again"
	expect_err "stops at PD[1]: reserved bit set (bit 50): above MAXPHYADDR $maxphy (CPUID 0x80000008), a #PF with RSVD=1, not an address beyond guest memory"
	expect_no_err "physical 0x0004000000200000"
	expect_err "triple fault (KVM_EXIT_SHUTDOWN) at RIP="
	expect_err ": a fault while the CPU delivered a double fault;"
	expect_no_err "then a fault delivering that"
fi

CASE="rsvd-nx-64 (a PDE with bit 63 set while EFER.NXE=0)"
trace 4 --flat 0x1000 --mode long --mem 4M "$G/rsvd-nx-64.bin"
has "PD[1] <- 0x8000000000200083: a page-table entry changed (P=1, but bit 63 (NX) is reserved while EFER.NXE=0"
lacks "a page-table entry changed (present)"
expect_err "stops at PD[1]: reserved bit set (bit 63): NX (bit 63) is reserved while EFER.NXE=0"

CASE="ud2-64 (an exception with no IDT: a triple fault)"
trace 4 ud2-64
has "triple fault (KVM_EXIT_SHUTDOWN): this instruction raised an exception, delivering it faulted (a double fault, #DF), and delivering the #DF faulted again"

for m in paged32 pae; do
	CASE="hello --mode $m"
	if "$KVMLAB" probe 2>/dev/null | grep -qE "^  no  $m "; then
		trace 3 hello --mode "$m"
		has "KVM_EXIT_SHUTDOWN with $([ $m = pae ] && echo PAE || echo 32-bit) paging on, and this host's KVM (backend: "
		has "cannot run 32-bit paging: a guest with paged32 or PAE paging on shuts down before its first instruction completes (kvmlab probe): this is the host's limit"
		lacks "this instruction raised an exception"
	else
		trace 0 hello --mode "$m"
		has "HLT: a VM exit (KVM_EXIT_HLT): the vCPU halts with RAX=42"
	fi
done

finish
