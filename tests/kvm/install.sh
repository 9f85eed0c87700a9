#!/bin/bash
# install.sh - `meson install` into a temporary DESTDIR, then the installed kvmlab on
# its own: the built-in guests, the labs and what the lab runner compiles student
# code with must all come from the installed copy, with no KVMLAB_* variables set.
#
# Environment (set by tests/meson.build): KVMLAB (the built binary), MESON (the meson
# command; default: meson in PATH), MESON_BUILD_ROOT (default: the folder of
# $KVMLAB), LABS_SRC (the source tree's labs/, to check every lab is installed).
# Nothing is written outside the temporary folder: meson installs with --destdir
# and --no-rebuild, and the test checks that the real prefix is untouched.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm

BUILD=${MESON_BUILD_ROOT:-$(dirname "$KVMLAB")}
MESON=${MESON:-$(command -v meson || true)}
if [ -z "$MESON" ]; then
	echo "SKIP: no meson command to install with"
	exit 77
fi
mkdir "$TMP/dest"
DEST=$(realpath "$TMP/dest")   # as the installed kvmlab will see its own folder
case $DEST in
/?*/dest) ;;   # never / or the real prefix
*) echo "FAIL: bad DESTDIR '$DEST'"; exit 1 ;;
esac
PREFIX=$("$MESON" introspect --buildoptions "$BUILD" 2>/dev/null |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])' 2>/dev/null)
PREFIX=${PREFIX:-/usr/local}

# What the real prefix holds of kvmlab before: the same must hold after.
snapshot() {
	ls -ld --time-style=full-iso "$PREFIX/bin/kvmlab" "$PREFIX/share/kvmlab" 2>&1
	find "$PREFIX/share/kvmlab" -newer "$TMP/stamp" 2>/dev/null
}
touch "$TMP/stamp"
snapshot >"$TMP/before"

CASE="meson install"
LAST_CMD="$MESON install -C $BUILD --destdir $DEST --no-rebuild"
(cd "$TMP" && "$MESON" install -C "$BUILD" --destdir "$DEST" --no-rebuild) >"$TMP/out" 2>"$TMP/err"
STATUS=$?
check "meson install --destdir succeeds" [ "$STATUS" = 0 ]
snapshot >"$TMP/after"
check "the real $PREFIX is untouched" cmp -s "$TMP/before" "$TMP/after"
# every "Installing X to Y" line of meson's output names a place under DEST
if grep '^Installing ' "$TMP/out" | grep -v " to $DEST/" | grep -q .; then
	fail "meson installed outside $DEST: $(grep '^Installing ' "$TMP/out" | grep -v " to $DEST/" | head -3)"
else
	pass "every file went under the DESTDIR"
fi

INST=$DEST$PREFIX
SHARE=$INST/share/kvmlab
check "bin/kvmlab installed" [ -x "$INST/bin/kvmlab" ]
for f in hello-16 hello-32 hello-64 boot guest.ld guest.h; do
	check "guests/$f installed" [ -f "$SHARE/guests/$f" ]
done
check "labs/include/kvmlab/lab.h installed" [ -f "$SHARE/labs/include/kvmlab/lab.h" ]
check "the lab harness is not installed" [ ! -e "$SHARE/labs/harness" ]
for lab in "${LABS_SRC:-/nonexistent}"/[0-9][0-9]-*/; do
	[ -f "$lab/lab.yaml" ] || continue
	name=$(basename "$lab")
	check "$name installed with lab.yaml, README.md, starter/, solution/" \
		test -f "$SHARE/labs/$name/lab.yaml" -a -f "$SHARE/labs/$name/README.md" \
		-a -d "$SHARE/labs/$name/starter" -a -d "$SHARE/labs/$name/solution"
	for f in "$lab"/*; do
		[ -f "$f" ] && check "$name/$(basename "$f") installed" [ -f "$SHARE/labs/$name/$(basename "$f")" ]
	done
done

# From here on, the installed kvmlab, with no KVMLAB_* in its environment (they stay
# shell variables, not exported), run from an empty folder.
for v in $(env | sed -n 's/^\(KVMLAB[A-Za-z0-9_]*\)=.*/\1/p'); do
	export -n "$v"
done
KVMLAB=$INST/bin/kvmlab
mkdir "$TMP/cwd"
cd "$TMP/cwd" || exit 1
CASE="environment"
check "no KVMLAB_* variable is exported" [ -z "$(env | grep '^KVMLAB')" ]

CASE="installed: run hello --mode long"
run_kvmlab 0 run hello --mode long
expect_out "Hello, world!"
expect_err "halted in long mode, RAX=42"

CASE="installed: lab list"
run_kvmlab 0 lab list
for lab in 01-kvm-api 02-modes 03-paging 04-hypercalls 05-hc2023 06-simple-kvm 07-matrix 08-files; do
	check "lists $lab" grep -q "^$lab " "$TMP/out"
done
check "lists no other folder (include, harness)" [ "$(grep -c . "$TMP/out")" = 9 ]

CASE="installed: grade 04 solution"
run_kvmlab 0 grade 04 "$SHARE/labs/04-hypercalls/solution"
check "full marks" grep -q "Total: 50/50 points" "$TMP/out"

# The runner compiled with the installed guest.ld, guest.h and kvmlab/lab.h, and the
# installed lab (copied into its build folder, which is all the sandbox sees): its
# build log names only installed paths and the build folder.
CASE="installed: lab build 04"
run_kvmlab 0 lab build 04
expect_err "kvmlab: building 04-hypercalls from $SHARE/labs/04-hypercalls/starter"
expect_err "# guest.ld and guest.h from $SHARE/guests, kvmlab/lab.h from $SHARE/labs/include, the lab's files from $SHARE/labs/04-hypercalls"
expect_err "build OK"
check "the build log names nothing outside $DEST" \
	[ -z "$(grep '^\$ ' "$TMP/err" | tr ' ' '\n' | sed 's/^-I//' | grep '/' | grep -v "^$DEST/" | grep -v '/kvmlab-grade-')" ]

finish
