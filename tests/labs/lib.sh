# lib.sh - what the lab test scripts share: arguments, the /dev/kvm skip, a temp folder, ok/bad.
# Sourced after KVMLAB and LABS are set from the script's arguments.
if [ ! -w /dev/kvm ]; then echo "SKIP: /dev/kvm is not usable here"; exit 77; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
