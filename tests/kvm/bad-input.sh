#!/bin/bash
# bad-input.sh - every bad input of the core issue: one clear line, the right status.
#
# Exit statuses (kvmlab --help): 1 bad command line, 2 the guest could not be
# loaded or set up, 3 KVM missing, refused, or unable to run the mode here,
# 4 the guest faulted, 5 a limit ended the run.
#
# | input                                   | status | the line says                         |
# |-----------------------------------------|--------|---------------------------------------|
# | no /dev/kvm (--dev /nonexistent)        | 3      | does not exist ... no KVM             |
# | no permission on /dev/kvm (as nobody)   | 3      | no permission to open /dev/kvm        |
# | an empty file                           | 2      | the file is empty                     |
# | a directory                             | 2      | not a regular file                    |
# | a file that is not ELF                  | 2      | not an ELF file ... --flat            |
# | a missing file                          | 2      | No such file or directory             |
# | an unknown guest name                   | 2      | no guest named 'nosuchguest'          |
# | a truncated ELF (into the segment)      | 2      | truncated                             |
# | a truncated ELF (last byte missing)     | 2      | truncated                             |
# | an ELF segment outside guest memory     | 2      | outside guest memory ... --mem        |
# | a real guest linked above memory        | 2      | outside guest memory                  |
# | an ELF entry outside guest memory       | 2      | entry point 0x40000000                |
# | a flat image larger than memory         | 2      | do not fit ... --mem                  |
# | a flat image past the end of memory     | 2      | do not fit                            |
# | an image over the VMM's tables/stack    | 2      | overlaps the stack and tables         |
# | --mem too small (16K)                   | 1      | --mem: guest memory of 16384 bytes    |
# | --mem not a multiple of 4 KiB           | 1      | multiple of 4 KiB                     |
# | --mem too large (8G)                    | 1      | from 64K to 4G                        |
# | --dev /dev/null                         | 3      | /dev/null is not a KVM device         |
# | --mem not a number (lots)               | 1      | --mem: 'lots' is not a size           |
# | an unknown mode                         | 1      | unknown mode 'turbo'                  |
# | an unknown option                       | 1      | unknown option ... '--turbo'          |
# | an option without its value             | 1      | missing value '--mem'                 |
# | no guest                                | 1      | no guest given                        |
# | two guests                              | 1      | one guest at a time                   |
# | --flat with a bad address               | 1      | --flat: 'xyz' is not a number         |
# | --flat with a negative address          | 1      | --flat: '-1' is not a number          |
# | --timeout 0                             | 1      | out of range                          |
# | --max-exits not a number                | 1      | --max-exits: 'many' is not a number   |
# | an unknown command                      | 1      | unknown command 'frob'                |
# | a guest that triple-faults (ud2-64)     | 4      | triple fault ... RIP, mode, CRs       |
# | paged32/pae where the host cannot       | 3      | (run-modes.sh)                        |
#
# Each must be one line on stderr starting "kvmlab: ", nothing on stdout (nothing
# half-done: no guest output), and no crash (a status below 128).
set -u
. "$(dirname "$0")/lib.sh"
require_kvm

# refused STATUS TEXT ARGS...: kvmlab ARGS fails with STATUS and one line containing TEXT.
refused() {
	local want=$1 text=$2
	shift 2
	run_kvmlab "$want" "$@"
	expect_one_line
	expect_err "$text"
}

CASE="no /dev/kvm"
refused 3 "/nonexistent does not exist" run hello --dev /nonexistent
expect_err "no KVM"
CASE="no /dev/kvm (probe)"
refused 3 "/nonexistent does not exist" probe --dev /nonexistent

CASE="no permission on /dev/kvm"
if [ "$(id -u)" != 0 ]; then
	# Not root and yet /dev/kvm opened (require_kvm): permission is granted here.
	echo "     (not root: cannot take away this user's access; the case is covered as root)"
elif command -v setpriv >/dev/null && [ -n "$(stat -c %a /dev/kvm | grep -E '^[0-7][0-7]0$')" ]; then
	# As nobody, with no groups: /dev/kvm (0600 or 0660) is closed to them.  The
	# binary and the guest are copied to $TMP: the clone may live where nobody
	# cannot reach (/root).
	mkdir -p "$TMP/nobody"
	cp "$KVMLAB" "$GUESTS_DIR/hello-64" "$TMP/nobody/"
	chmod a+rx "$TMP" "$TMP/nobody" "$TMP/nobody/kvmlab" "$TMP/nobody/hello-64"
	LAST_CMD="setpriv --reuid=65534 --regid=65534 --clear-groups kvmlab run hello-64"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout 20 "$TMP/nobody/kvmlab" run "$TMP/nobody/hello-64" >"$TMP/out" 2>"$TMP/err" </dev/null
	STATUS=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
	check "exit status $STATUS (expected 3)" [ "$STATUS" = 3 ]
	expect_one_line
	expect_err "no permission to open /dev/kvm"
	expect_err "usermod -aG kvm"
else
	echo "     (setpriv missing or /dev/kvm is world-accessible: case not run)"
fi

CASE="an empty file"
: >"$TMP/empty"
refused 2 "the file is empty" run "$TMP/empty"
expect_err "$TMP/empty"

CASE="a directory"
mkdir -p "$TMP/dir"
refused 2 "not a regular file" run "$TMP/dir"

CASE="not ELF"
printf '#!/bin/sh\necho not a guest\n' >"$TMP/script.sh"
refused 2 "not an ELF file" run "$TMP/script.sh"
expect_err "--flat"

CASE="a missing file"
refused 2 "No such file or directory" run "$TMP/no-such-file"

CASE="an unknown guest name"
refused 2 "no guest named 'nosuchguest'" run nosuchguest

size=$(stat -c %s "$GUESTS_DIR/hello-64")
CASE="truncated ELF (into the segment)"
head -c 4120 "$GUESTS_DIR/hello-64" >"$TMP/trunc"
refused 2 "truncated" run "$TMP/trunc"
CASE="truncated ELF (last byte missing)"
head -c $((size - 1)) "$GUESTS_DIR/hello-64" >"$TMP/trunc1"
refused 2 "truncated" run "$TMP/trunc1"
CASE="truncated ELF (header only)"
head -c 40 "$GUESTS_DIR/hello-64" >"$TMP/trunc40"
run_kvmlab 2 run "$TMP/trunc40"
expect_one_line

# hello-64: ELF64, program header 0 at offset 64, its p_paddr at 64 + 24 = 88;
# e_entry at 24.
CASE="segment outside guest memory"
cp "$GUESTS_DIR/hello-64" "$TMP/high"
patch_bytes "$TMP/high" 88 "$(le64 $((0x10000000)))"
refused 2 "outside guest memory" run "$TMP/high"
expect_err "--mem"
CASE="segment outside guest memory (--mem 64K)"
cp "$GUESTS_DIR/hello-64" "$TMP/high64k"
patch_bytes "$TMP/high64k" 88 "$(le64 $((0x10000)))"
patch_bytes "$TMP/high64k" 24 "$(le64 $((0x10000)))"
refused 2 "outside guest memory" run --mem 64K "$TMP/high64k"
CASE="a guest linked above memory (c-guest-32 at 2 MiB, 2 MiB of memory)"
refused 2 "outside guest memory" run "$TEST_GUESTS_DIR/c-guest-32"

CASE="entry outside guest memory"
cp "$GUESTS_DIR/hello-64" "$TMP/entry"
patch_bytes "$TMP/entry" 24 "$(le64 $((0x40000000)))"
refused 2 "entry point 0x40000000" run "$TMP/entry"
CASE="entry outside any segment"
patch_bytes "$TMP/entry" 24 "$(le64 $((0x8000)))"
refused 2 "entry point 0x8000 is not inside an executable segment" run "$TMP/entry"

CASE="flat image larger than memory"
head -c $((64 * 1024 + 1)) /dev/zero >"$TMP/big.bin"
refused 2 "do not fit" run --flat 0 --mem 64K --mode real "$TMP/big.bin"
expect_err "--mem"
CASE="flat image past the end of memory"
refused 2 "do not fit" run --flat 0x1fffff --mode long "$GUESTS_DIR/hello-flat-64.bin"
CASE="image over the VMM's page tables and stack"
head -c $((60 * 1024)) /dev/zero >"$TMP/60k.bin"
refused 2 "overlaps the stack and tables" run --flat 0 --mem 64K --mode long "$TMP/60k.bin"

CASE="--mem too small"
refused 1 "--mem: guest memory of 16384 bytes is not a multiple of 4 KiB from 64K to 4G" run hello --mem 16K
CASE="--mem not a multiple of 4 KiB"
refused 1 "--mem: guest memory of 65537 bytes is not a multiple of 4 KiB" run hello --mem 65537
CASE="--mem too large"
refused 1 "from 64K to 4G" run hello --mem 8G
CASE="--dev not a KVM device"
refused 3 "/dev/null is not a KVM device" run hello --dev /dev/null
CASE="--mem not a number"
refused 1 "--mem: 'lots' is not a size" run hello --mem lots

CASE="unknown mode"
refused 1 "unknown mode 'turbo'" run hello --mode turbo
expect_err "real, protected, paged32, pae or long"
CASE="unknown option"
refused 1 "'--turbo'" run --turbo hello
expect_err "unknown option"
CASE="option without its value"
refused 1 "'--mem'" run hello --mem
CASE="no guest"
refused 1 "no guest given" run
CASE="no guest (options only)"
refused 1 "no guest given" run --mode long
CASE="two guests"
refused 1 "one guest at a time" run hello boot
CASE="--flat with a bad address"
refused 1 "--flat: 'xyz' is not a number" run --flat xyz "$GUESTS_DIR/hello-flat-64.bin"
CASE="--flat with a negative address"
refused 1 "--flat: '-1' is not a number" run --flat -1 "$GUESTS_DIR/hello-flat-64.bin"
CASE="--timeout 0"
refused 1 "out of range" run --timeout 0 hello
CASE="--max-exits not a number"
refused 1 "--max-exits: 'many' is not a number" run --max-exits many hello
CASE="unknown command"
refused 1 "unknown command 'frob'" frob

CASE="triple fault"
refused 4 "triple fault (KVM_EXIT_SHUTDOWN" run ud2
expect_err "RIP=0x1000"
expect_err "long mode"
expect_err "CR0=0x"
expect_err "CR3=0x"
expect_err "EFER=0x"

finish
