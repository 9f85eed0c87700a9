#!/bin/sh
# intake.sh KVMLAB LABS_DIR - a class as it arrives: Moodle's "download all" zip of
# tarballs and zips (one per student, named by id, some in a folder of their own, some
# hostile), graded in one batch; the results name the ids; the gradebook files; the
# shards of the same class joined by `kvmlab grade merge`, and the merges it refuses.
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/../labs/lib.sh"
L=$LABS/04-hypercalls
mkdir -p "$T/tmp"; TMPDIR=$T/tmp; export TMPDIR

S=$T/staging; mkdir -p "$S/in/22b0001_assignment2" "$S/moodle/Alice Doe_123_assignsubmission_file_"
cp "$L/solution/"* "$S/in/22b0001_assignment2/"
(cd "$S/in" && tar czf "$S/moodle/22b0001_assignment2.tar.gz" 22b0001_assignment2)
(cd "$L/starter" && zip -q "$S/moodle/Alice Doe_123_assignsubmission_file_/22b0002.zip" ./*)
(cd "$L/solution" && tar cjf "$S/moodle/22b0003_a2.tar.bz2" ./*)
# hostile: a member outside its folder, a symlink to /etc/shadow as guest.c, a bomb, junk
python3 - "$S/moodle" "$L/solution" <<'PY'
import io, os, sys, tarfile, zipfile
out, sol = sys.argv[1], sys.argv[2]
with tarfile.open(os.path.join(out, "22b0004_a2.tar.gz"), "w:gz") as t:
    t.add(os.path.join(sol, "guest.c"), "guest.c")
    data = b"owned\n"
    i = tarfile.TarInfo("../../../../tmp/kvmlab-intake-escape"); i.size = len(data)
    t.addfile(i, io.BytesIO(data))
with tarfile.open(os.path.join(out, "22b0005_a2.tar.gz"), "w:gz") as t:
    i = tarfile.TarInfo("guest.c"); i.type = tarfile.SYMTYPE; i.linkname = "/etc/shadow"
    t.addfile(i)
    t.add(os.path.join(sol, "handlers.c"), "handlers.c")
with zipfile.ZipFile(os.path.join(out, "22b0006.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("guest.c", b"\0" * (300 << 20))
open(os.path.join(out, "22b0007_a2.tar.gz"), "wb").write(b"not a tarball\n" * 10)
PY
(cd "$S/moodle" && zip -qr "$T/class.zip" .)
rm -f /tmp/kvmlab-intake-escape

"$KVMLAB" grade "$L" --batch "$T/class.zip" -j 2 --timeout 20 --csv "$T/c.csv" --json "$T/c.json" \
	--gradescope-csv "$T/gs.csv" --moodle-csv "$T/moodle.csv" 2>"$T/progress"
rc=$?
cat "$T/progress"; cat "$T/c.csv"
[ $rc -eq 6 ] && ok "class zip: exit 6 (not everyone full marks)" || bad "class zip: exit $rc"
[ "$(grep -vc '^submission' "$T/c.csv")" -eq 7 ] && ok "7 students, 7 rows" || bad "rows"
grep -q '^"22b0001",50,50,ok' "$T/c.csv" && ok "a tarball with a folder inside: full marks" || bad "22b0001"
grep -q '^"22b0002",[0-9]*,50,ok' "$T/c.csv" && ! grep -q '^"22b0002",50,' "$T/c.csv" &&
	ok "a zip in Moodle's folder per student: graded, below full marks" || bad "22b0002"
grep -q '^"22b0003",50,50,ok' "$T/c.csv" && ok "a .tar.bz2: full marks" || bad "22b0003"
grep -q '^"22b0004",0,50,rejected,".*points outside its folder' "$T/c.csv" && [ ! -e /tmp/kvmlab-intake-escape ] &&
	ok "a member outside its folder: rejected, nothing written" || bad "22b0004"
grep -q '^"22b0005",0,50,rejected,".*symlink leading outside' "$T/c.csv" && ! grep -q 'root:' "$T/c.csv" &&
	ok "guest.c -> /etc/shadow: rejected" || bad "22b0005"
grep -q '^"22b0006",0,50,rejected,".*zip bomb' "$T/c.csv" && ok "a bomb: rejected" || bad "22b0006"
grep -q '^"22b0007",0,50,rejected,".*not a zip or tar\|^"22b0007",0,50,rejected,".*corrupt' "$T/c.csv" &&
	ok "junk: rejected" || bad "22b0007"
ls -d "$TMPDIR"/kvmlab-intake-* >/dev/null 2>&1 && bad "temporary folders left behind" || ok "temporary folders removed"
python3 - "$T/gs.csv" "$T/moodle.csv" "$T/c.csv" <<'PY' && ok "gradebook files" || bad "gradebook files"
import csv, sys
gs = list(csv.DictReader(open(sys.argv[1])))
mo = list(csv.DictReader(open(sys.argv[2])))
c = {r["submission"]: r for r in csv.DictReader(open(sys.argv[3]))}
assert [r["SID"] for r in gs] == sorted(c), gs
assert all(int(r["Total Score"]) == int(c[r["SID"]]["score"]) for r in gs)
assert list(mo[0]) == ["ID number", "04-hypercalls score", "Feedback"], list(mo[0])
assert all(int(r["04-hypercalls score"]) == int(c[r["ID number"]]["score"]) for r in mo)
assert "rejected" in [r for r in mo if r["ID number"] == "22b0006"][0]["Feedback"]
PY

# the same class in 3 shards, joined
for k in 1 2 3; do
	"$KVMLAB" grade "$L" --batch "$T/class.zip" -j 2 --timeout 20 --shard $k/3 --json "$T/s$k.json" 2>/dev/null
done
"$KVMLAB" grade merge --csv "$T/m.csv" --json "$T/m.json" "$T/s3.json" "$T/s1.json" "$T/s2.json" 2>"$T/merge.err"
rc=$?
if [ $rc -eq 0 ] && diff "$T/m.csv" "$T/c.csv" >/dev/null; then ok "3 shards merged: the CSV of one batch"
else bad "merge (exit $rc)"; cat "$T/merge.err"; diff "$T/m.csv" "$T/c.csv"; fi
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["count"]==7 and d["shard"]=="1/1" and d["max"]==50' "$T/m.json" \
	&& ok "merged JSON" || bad "merged JSON"
"$KVMLAB" grade merge "$T/s1.json" "$T/s3.json" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "shard 2/3 is missing" "$T/err" && ok "a missing shard: refused" || { bad "missing shard: $rc"; cat "$T/err"; }
"$KVMLAB" grade merge "$T/s1.json" "$T/s1.json" "$T/s2.json" "$T/s3.json" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "shard 1/3 again" "$T/err" && ok "a shard twice: refused" || { bad "shard twice: $rc"; cat "$T/err"; }
sed 's|04-hypercalls/lab.yaml|03-paging/lab.yaml|' "$T/s2.json" >"$T/other.json"
"$KVMLAB" grade merge "$T/s1.json" "$T/other.json" "$T/s3.json" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "a shard of lab 03-paging" "$T/err" && ok "a shard of another lab: refused" || { bad "other lab: $rc"; cat "$T/err"; }
"$KVMLAB" grade "$L" --batch "$T/class.zip" --shard 1/2 --json "$T/h.json" 2>/dev/null
"$KVMLAB" grade merge "$T/h.json" "$T/s2.json" "$T/s3.json" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "split in 3, the first is split in 2\|split in 2, the first is split in 3\|split in" "$T/err" && ok "shards of different splits: refused" || { bad "splits: $rc"; cat "$T/err"; }
printf '{"lab": 1}' >"$T/bad.json"
"$KVMLAB" grade merge "$T/bad.json" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && ok "not a summary: refused" || bad "bad json: $rc"
exit $fail
