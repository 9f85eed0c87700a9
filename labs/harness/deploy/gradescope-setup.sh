#!/bin/sh
# setup.sh - written by `kvmlab lab export LAB --gradescope`.  Gradescope runs it once when it
# builds the autograder's image: it installs kvmlab's build dependencies and builds kvmlab
# from kvmlab-src/.  A failure here is not fatal: without a kvmlab binary, or without
# /dev/kvm when a submission is graded, run_autograder sends the submission to the course's
# grading service (kvmlab serve) named at export.
set -u
SRC=${AUTOGRADER_ROOT:-/autograder}/source
export DEBIAN_FRONTEND=noninteractive
apt-get update && apt-get install -y --no-install-recommends curl ca-certificates python3 \
	meson ninja-build gcc libc6-dev pkg-config libelf-dev libncurses-dev libzydis-dev \
	libcyaml-dev libarchive-dev libjson-c-dev libmicrohttpd-dev libsqlite3-dev \
	libseccomp-dev bubblewrap ||
	echo "setup.sh: some packages did not install; run_autograder will use the grading service"
if [ -d "$SRC/kvmlab-src" ]; then
	if meson setup "$SRC/kvmlab-build" "$SRC/kvmlab-src" -Dwerror=false >"$SRC/kvmlab-build.log" 2>&1 &&
	   ninja -C "$SRC/kvmlab-build" >>"$SRC/kvmlab-build.log" 2>&1; then
		echo "setup.sh: kvmlab built: submissions are graded here where /dev/kvm exists"
	else
		tail -20 "$SRC/kvmlab-build.log"
		echo "setup.sh: kvmlab did not build here; run_autograder will use the grading service"
	fi
fi
exit 0
