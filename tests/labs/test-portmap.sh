#!/bin/sh
# test-portmap.sh KVMLAB LABS_DIR GUESTS_SRC - guests written elsewhere, with their own
# hypercall ports, pass the hypercall checks through the port map.
#
# A copy of labs/04-hypercalls whose solution guest.c uses ports of its own, written into
# it as the course's students write them (#define HC_PRINT32 0x6004 after the lab's header):
#   - its lab.yaml's `hypercalls:` map set to those ports: full marks;
#   - the lab.yaml as shipped (the default ports), and with no `hypercalls:` map at
#     all (the VMM's defaults): the hypercall checks fail;
#   - the guest built from it, under `kvmlab run --hypercalls print8=0x6000,...`:
#     prints what the fixed block prints and halts; without the map it does not.
set -u
KVMLAB=$1
LABS=$2
GUESTS_SRC=$3
. "$(dirname "$0")/lib.sh"
L=$LABS/04-hypercalls

# name, HC_ constant in hypercalls.h, default port, this guest's port
PORTS="print8 HC_PRINT8 0x500 0x6000
print32 HC_PRINT32 0x501 0x6004
printStr HC_PRINTSTR 0x502 0x6008
numExits HC_NUMEXITS 0x503 0x600c
numExitsByType HC_NUMEXITSBYTYPE 0x504 0x7000
gvaToHva HC_GVATOHVA 0x505 0x7004
getTimestamp HC_GETTIMESTAMP 0x506 0x7008"

# own: guest.c and lab.yaml on the new ports; shipped: only guest.c;
# nomap: guest.c, and lab.yaml without its hypercalls: block
echo "$PORTS" | while read -r name const old new; do
	printf '#undef %s\n#define %s %s\n' "$const" "$const" "$new"
done >"$T/ports.h"
for v in own shipped nomap; do
	cp -r "$L" "$T/$v"
	sed -i "/^#include \"hypercalls.h\"\$/r $T/ports.h" "$T/$v/solution/guest.c"
done
echo "$PORTS" | while read -r name const old new; do
	sed -i -E "s/^(  $name: )$old\$/\\1$new/" "$T/own/lab.yaml"
done
sed -i '/^hypercalls:/,/^  getTimestamp:/d' "$T/nomap/lab.yaml"
MAP=$(echo "$PORTS" | while read -r name const old new; do printf '%s=%s,' "$name" "$new"; done)
MAP=${MAP%,}

# the copies say what they should, so the checks below cannot pass by accident
if ! grep -Eq '^#define HC_PRINT8 +0x6000$' "$T/own/solution/guest.c" ||
   ! grep -Eq '^#define HC_GETTIMESTAMP +0x7008$' "$T/nomap/solution/guest.c" ||
   grep -Eq '0x50[0-6]$' "$T/own/lab.yaml" || ! grep -q '^  print8: 0x6000$' "$T/own/lab.yaml" ||
   ! grep -q '^  getTimestamp: 0x7008$' "$T/own/lab.yaml" ||
   ! grep -q '^  print8: 0x500$' "$T/shipped/lab.yaml" ||
   grep -q 'hypercalls:\|0x50[0-6]$' "$T/nomap/lab.yaml" || ! grep -q '^handlers:' "$T/nomap/lab.yaml"; then
	bad "the sed edits of the lab copies"
	grep -n '0x[0-9a-f]*$' "$T/own/solution/guest.c" "$T/own/lab.yaml" "$T/nomap/lab.yaml"
	exit 1
fi
ok "lab copies on ports $MAP"

# the solution (its guest.c on its own ports) in every copy
"$KVMLAB" grade "$T/own" "$T/own/solution" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "Total: 50/50 points" "$T/out"; then ok "own ports + own map: full marks"
else bad "own ports + own map: exit $rc"; cat "$T/out"; fi

for v in shipped nomap; do
	"$KVMLAB" grade "$T/$v" "$T/$v/solution" >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 6 ] && grep -Eq "(FAIL|SKIP).*print32 prints 2048" "$T/out" &&
	   grep -Eq "(FAIL|SKIP).*printStr prints the string" "$T/out" && ! grep -q "Total: 50/50" "$T/out"; then
		ok "own ports + $v map: the hypercall checks fail ($(grep Total: "$T/out"))"
	else bad "own ports + $v map: exit $rc"; cat "$T/out"; fi
done

# the solution's own guest, built as the grader builds it, under kvmlab run
G=$T/own
gcc -m64 -Wl,-m,elf_x86_64 -ffreestanding -fno-pic -fno-asynchronous-unwind-tables \
	-fno-stack-protector -fcf-protection=none -mno-red-zone -mgeneral-regs-only -O2 \
	-nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
	-Wl,--no-warn-rwx-segments -I"$GUESTS_SRC" -I"$G" -T "$GUESTS_SRC/guest.ld" \
	-o "$T/guest.elf" "$G/start.S" "$G/fixed.c" "$G/solution/guest.c" >"$T/cc" 2>&1 ||
	{ bad "building the guest"; cat "$T/cc"; exit 1; }
timeout 20 "$KVMLAB" run "$T/guest.elf" --hypercalls "$MAP" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -qx "Hello, world!" "$T/out" && grep -qx 2048 "$T/out" &&
   grep -qx 4294967295 "$T/out" && grep -qx "CS 695 Assignment 3" "$T/out" &&
   grep -qx "Invalid GVA" "$T/out" && grep -q "halted in long mode" "$T/err"; then
	ok "kvmlab run --hypercalls $MAP"
else bad "kvmlab run --hypercalls $MAP: exit $rc"; cat "$T/out" "$T/err"; fi
timeout 20 "$KVMLAB" run "$T/guest.elf" >"$T/out" 2>"$T/err"
rc=$?
if ! grep -qx "Hello, world!" "$T/out" && ! grep -qx 2048 "$T/out"; then
	ok "kvmlab run without the map: no hypercall output (exit $rc: $(tail -n 1 "$T/err"))"
else bad "kvmlab run without the map: exit $rc"; cat "$T/out" "$T/err"; fi

# kvmlab's own handlers on a shared port: the shipped solution's guest built with numExits on
# print32's port, told apart by direction; two that an exit cannot tell apart are refused
G=$LABS/04-hypercalls
gcc -m64 -Wl,-m,elf_x86_64 -ffreestanding -fno-pic -fno-asynchronous-unwind-tables \
	-fno-stack-protector -fcf-protection=none -mno-red-zone -mgeneral-regs-only -O2 \
	-nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
	-Wl,--no-warn-rwx-segments -I"$GUESTS_SRC" -I"$G" -T "$GUESTS_SRC/guest.ld" \
	-DKVMLAB_PORT_print8=0x500 -DKVMLAB_PORT_print32=0x501 -DKVMLAB_PORT_printStr=0x502 \
	-DKVMLAB_PORT_numExits=0x501 -DKVMLAB_PORT_numExitsByType=0x504 \
	-DKVMLAB_PORT_gvaToHva=0x505 -DKVMLAB_PORT_getTimestamp=0x506 \
	-o "$T/shared.elf" "$G/start.S" "$G/fixed.c" "$G/solution/guest.c" >"$T/cc" 2>&1 ||
	{ bad "building the shared-port guest"; cat "$T/cc"; exit 1; }
timeout 20 "$KVMLAB" run "$T/shared.elf" --hypercalls numExits=0x501 >"$T/out" 2>"$T/err"
rc=$?
a=$(sed -n '/^CS 695 Assignment 3$/{n;p}' "$T/out")
b=$(sed -n '/^CS 695 Assignment 3$/{n;n;p}' "$T/out")
if [ $rc -eq 0 ] && grep -qx 2048 "$T/out" && [ -n "$a" ] && [ "$b" = $((a + 2)) ]; then
	ok "kvmlab run --hypercalls numExits=0x501: print32 and numExits share a port ($a, $b)"
else bad "shared port: exit $rc"; cat "$T/out" "$T/err"; fi
timeout 20 "$KVMLAB" run "$T/shared.elf" --hypercalls numExits=0x501,printStr=0x501 >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -ne 0 ] && grep -q "print32 and printStr cannot share port 0x501" "$T/err"; then
	ok "print32 and printStr on one port: refused ($(cat "$T/err"))"
else bad "refusal: exit $rc"; cat "$T/out" "$T/err"; fi
exit $fail
