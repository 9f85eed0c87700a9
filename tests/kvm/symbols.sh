#!/usr/bin/env bash
# symbols.sh - guest symbols and source lines on the command line, against real KVM: traces name
# call targets and carry each step's symbol and source line (text and JSONL), --break/--hbreak/
# --watch and walk --addr take symbols, unknown names are refused, diff ignores the annotations,
# and lab guests are built with debug information.
set -u
: "${KVMLAB:?set KVMLAB to the kvmlab binary}"
: "${GUESTS_DIR:?set GUESTS_DIR to the built guests}"
: "${GUESTS_SRC:?set GUESTS_SRC to the guest sources folder}"
if [ ! -c /dev/kvm ] || ! exec 3<>/dev/kvm; then
	echo "SKIP: /dev/kvm is missing or not usable"; exit 77
fi
exec 3>&-
export KVMLAB_GUESTS="$GUESTS_DIR"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ $# -gt 1 ] && echo "$2" | head -20; }
expect() { # name, haystack, needle (fixed string)
	if grep -qF -- "$3" <<<"$2"; then ok "$1"; else bad "$1: missing '$3'" "$2"; fi
}
# The line number of the first line of guests/FILE containing TEXT.
src_line() { grep -nF -- "$2" "$GUESTS_SRC/$1" | head -1 | cut -d: -f1; }

# Text: the call names its target; a '-- symbol (file:line) source' line before the steps of a line.
out=$("$KVMLAB" trace hello --mode long 2>/dev/null)
expect "the call at the entry names hello_main" "$out" "call hello_main"
for_text='for (const char *p = "Hello, world!\n"'
for_line=$(src_line hello.c "$for_text")
expect "hello_main's first line, with its source" "$out" "-- hello_main (hello.c:$for_line) for (const char *p = \"Hello, world!\\n\"; *p; ++p)"
out_text='__asm__ volatile("outb %0, %1"'
out_line=$(src_line hello.c "$out_text")
expect "the OUT's line is outb()'s asm" "$out" "(hello.c:$out_line) __asm__ volatile(\"outb %0, %1\""
n_steps=$(grep -cE '^ +[0-9]+ ' <<<"$out")
[ "$n_steps" = 76 ] && ok "the source lines add no steps (76)" || bad "76 steps expected, got $n_steps"

# JSONL: sym and src on every step of a guest with symbols and lines.
"$KVMLAB" trace hello --mode long --format jsonl -o "$tmp/a.jsonl" 2>/dev/null
if python3 - "$tmp/a.jsonl" "$for_line" <<'PY'
import json, sys
steps = [json.loads(l) for l in open(sys.argv[1])]
assert len(steps) == 76, len(steps)
assert all("sym" in s and "src" in s for s in steps), "a step without sym or src"
assert steps[0]["sym"] == "_start" and steps[0]["src"].startswith("entry-64.S:"), steps[0]
assert steps[0]["asm"] == "call hello_main", steps[0]["asm"]
assert steps[1]["sym"] == "hello_main" and steps[1]["src"] == "hello.c:" + sys.argv[2], steps[1]
assert steps[2]["sym"].startswith("hello_main+0x"), steps[2]
PY
then ok "JSONL: sym and src on every step"; else bad "JSONL sym/src"; fi
# a flat image has neither
"$KVMLAB" trace --flat 0 --mode long "$GUESTS_DIR/hello-flat-64.bin" --format jsonl -o "$tmp/flat.jsonl" 2>/dev/null
if grep -q '"sym"\|"src"' "$tmp/flat.jsonl"; then bad "a flat image has no symbols"; else ok "a flat image: no sym, no src"; fi

# diff: the annotations and an instruction's symbolic text are not state.
sed -e 's/"src":"hello.c:[0-9]*"/"src":"hello.c:999"/' -e 's/"sym":"hello_main/"sym":"renamed/' \
	-e 's/"asm":"call hello_main"/"asm":"call renamed"/' "$tmp/a.jsonl" > "$tmp/b.jsonl"
out=$("$KVMLAB" diff "$tmp/a.jsonl" "$tmp/b.jsonl" 2>&1); st=$?
[ $st = 0 ] && ok "diff: renamed symbols and moved lines are no divergence" || bad "diff status $st" "$out"
sed -e '1s/"bytes":"e803000000"/"bytes":"e804000000"/' -e '1s/"asm":"call hello_main"/"asm":"call hello_main+0x1"/' \
	"$tmp/a.jsonl" > "$tmp/c.jsonl"
out=$("$KVMLAB" diff "$tmp/a.jsonl" "$tmp/c.jsonl" 2>&1); st=$?
[ $st = 6 ] && ok "diff: other bytes still diverge" || bad "diff status $st, not 6" "$out"
expect "diff names the bytes" "$out" "bytes"

# Stop points by name.
out=$("$KVMLAB" trace boot --break long_mode 2>&1 >/dev/null)
expect "--break long_mode" "$out" "breakpoint 0x1087 (long_mode) reached after 36 instructions"
out=$("$KVMLAB" run boot --hbreak protected_mode+4 2>&1)
expect "--hbreak protected_mode+4" "$out" "breakpoint 0x1027 (protected_mode+0x4) reached"
out=$("$KVMLAB" run boot --watch pml4:8 2>&1)
expect "--watch pml4:8" "$out" "write to watched address 0x2000 reached"
out=$("$KVMLAB" run hello --mode long --break nosuch 2>&1); st=$?
[ $st = 1 ] && ok "--break nosuch: exit 1" || bad "--break nosuch: exit $st"
expect "--break nosuch says why" "$out" "kvmlab: --break nosuch: the guest has no symbol of that name"
out=$("$KVMLAB" run --flat 0 --mode long "$GUESTS_DIR/hello-flat-64.bin" --break main 2>&1); st=$?
[ $st = 1 ] && ok "--break NAME on a flat image: exit 1" || bad "flat --break: exit $st"
expect "a flat image has no symbol table" "$out" "its file has no symbol table: give a hex address"

# walk --addr NAME (and SEG:NAME).
out=$("$KVMLAB" walk boot --at 40 --addr pml4 2>&1)
expect "walk --addr pml4" "$out" "pml4 = 0x2000"
expect "walk --addr pml4 walks it" "$out" "= physical 0x0000000000002000"
out=$("$KVMLAB" walk boot --at 40 --addr ds:gdt+8 2>&1)
expect "walk --addr ds:gdt+8" "$out" "logical ds:0x10c0 = linear 0x10c0"
out=$("$KVMLAB" walk boot --addr nosuch 2>&1); st=$?
[ $st = 1 ] && ok "walk --addr nosuch: exit 1" || bad "walk --addr nosuch: exit $st"

# Lab guests are built with -g: build a lab as the grader does (in its sandbox), keep the
# build folder, then trace the ELF it made.
if command -v gcc >/dev/null; then
	log=$(KVMLAB_KEEP_BUILD=1 "$KVMLAB" lab build 03-paging 2>&1)
	cmd=$(grep '^\$ gcc ' <<<"$log" | head -1 | sed 's/^\$ //')
	case $cmd in
	*" -g "*) ok "the lab build compiles with -g" ;;
	*) bad "the lab build has no -g" "$log" ;;
	esac
	elf=$(sed -n 's|.* -o \([^ ]*\).*|\1|p' <<<"$cmd")
	if [ -n "$elf" ] && [ -f "$elf" ]; then
		out=$("$KVMLAB" trace "$elf" --mem 4M --max-steps 400 --format jsonl 2>/dev/null)
		expect "a lab guest's steps carry C source lines" "$out" '"src":"paging.c:'
		expect "the lab guest's call is named (the issue's example)" "$out" '"asm":"call setup_paging"'
		rm -rf "${elf%/out/guest.elf}"
	else
		bad "the kept lab build has no ELF" "$log"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
