#!/bin/sh
# serve.sh KVMLAB LABS_DIR - `kvmlab serve` over loopback with curl: tokens, hostile uploads
# and parameters, limits, grading, reports in every format, re-grading, a crash (SIGKILL)
# in the middle of grading and a restart (nothing lost, nothing graded twice), and the
# instructor's page in headless Chromium (screenshot checked) where Chromium is installed.
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/lib.sh"
L=$LABS/04-hypercalls
(cd "$L/solution" && tar czf "$T/sol.tar.gz" ./*)
(cd "$L/starter" && zip -q "$T/starter.zip" ./*)
python3 - "$T" <<'PY'
import os, sys, tarfile, zipfile
t = sys.argv[1]
with zipfile.ZipFile(os.path.join(t, "bomb.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("guest.c", b"\0" * (64 << 20))
with tarfile.open(os.path.join(t, "shadow.tar.gz"), "w:gz") as a:
    i = tarfile.TarInfo("guest.c"); i.type = tarfile.SYMTYPE; i.linkname = "/etc/shadow"
    a.addfile(i)
open(os.path.join(t, "big.bin"), "wb").write(os.urandom(300 << 10))
PY
: >"$T/empty"
serve_start -j 2 --max-upload 256K --rate 5

# the service refuses what it must, with the right status
code() { cat "$T/code"; }
curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$T/sol.tar.gz" \
	"$URL/api/v1/submissions?lab=04&student=alice" >"$T/code"
[ "$(code)" = 401 ] && ok "no token: 401" || bad "no token: $(code)"
curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer wrong-token-0000000000" \
	--data-binary @"$T/sol.tar.gz" "$URL/api/v1/submissions?lab=04&student=alice" >"$T/code"
[ "$(code)" = 401 ] && ok "a wrong token: 401" || bad "wrong token: $(code)"
submit "$T/sol.tar.gz" alice 99-nolab >/dev/null; [ "$(code)" = 400 ] && ok "an unknown lab: 400" || bad "lab: $(code)"
submit "$T/sol.tar.gz" "..%2Fetc" >/dev/null; [ "$(code)" = 400 ] && ok "student=../etc: 400" || bad "student: $(code)"
submit "$T/sol.tar.gz" "a%0Ab" >/dev/null; [ "$(code)" = 400 ] && ok "a newline in the id: 400" || bad "newline: $(code)"
submit "$T/big.bin" mallory >/dev/null; [ "$(code)" = 413 ] && ok "past --max-upload: 413" || bad "big: $(code)"
curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" -H "Transfer-Encoding: chunked" \
	--data-binary @"$T/big.bin" "$URL/api/v1/submissions?lab=04&student=mallory" >"$T/code"
[ "$(code)" = 413 ] && ok "past --max-upload, chunked (no Content-Length): 413" || bad "chunked big: $(code)"
submit "$T/empty" mallory >/dev/null; [ "$(code)" = 400 ] && ok "an empty body: 400" || bad "empty: $(code)"
curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/submissions/1" >"$T/code"
[ "$(code)" = 401 ] && ok "reading without a token: 401" || bad "read: $(code)"
curl -s -o /dev/null -w '%{http_code}' "$URL/../../etc/passwd" >"$T/code"
[ "$(code)" = 404 ] && ok "a path outside: 404" || bad "path: $(code)"
curl -s "$URL/api/v1/health" | grep -q '"queued"' && ok "health without a token" || bad "health"

# grading: a solution, a starter, a bomb, a symlink to /etc/shadow
A=$(submit "$T/sol.tar.gz" alice | json id); [ "$(code)" = 201 ] && ok "a solution accepted: 201" || bad "submit: $(code)"
B=$(submit "$T/starter.zip" bob | json id)
C=$(submit "$T/bomb.zip" carol | json id)
D=$(submit "$T/shadow.tar.gz" dave | json id)
wait_done "$A" >"$T/a.json" && [ "$(json score <"$T/a.json")" = 50 ] && [ "$(json status <"$T/a.json")" = ok ] &&
	ok "alice: 50/50" || { bad "alice"; cat "$T/a.json"; }
wait_done "$B" >"$T/b.json" && [ "$(json score <"$T/b.json")" -lt 50 ] && ok "bob (starter): below 50" || bad "bob"
wait_done "$C" >"$T/c.json" && [ "$(json status <"$T/c.json")" = rejected ] && grep -q "zip bomb" "$T/c.json" &&
	ok "carol (a bomb): rejected with the reason" || { bad "carol"; cat "$T/c.json"; }
wait_done "$D" >"$T/d.json" && [ "$(json status <"$T/d.json")" = rejected ] && ! grep -q "root:" "$T/d.json" &&
	ok "dave (guest.c -> /etc/shadow): rejected" || { bad "dave"; cat "$T/d.json"; }
# reports in every format
rep() { curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/submissions/$A/report?format=$1"; }
rep text | grep -q "50/50" && ok "report: text" || bad "report text"
rep tap | head -1 | grep -q "TAP version 14" && ok "report: tap" || bad "report tap"
if command -v xmllint >/dev/null; then rep junit | xmllint --noout - && ok "report: junit (xmllint)" || bad "report junit"; fi
rep gradescope | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["score"]==50 and d["tests"]' &&
	ok "report: gradescope" || bad "report gradescope"
rep pdf >/dev/null; curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	"$URL/api/v1/submissions/$A/report?format=pdf" >"$T/code"; [ "$(code)" = 400 ] && ok "an unknown format: 400" || bad "format: $(code)"
curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer 9999999999999999-other" \
	"$URL/api/v1/submissions/$A" >"$T/code"
[ "$(code)" = 404 ] && ok "another course's token does not see it" || bad "other course: $(code)"
# the rate limit: alice has 1 submission; 4 more pass, the 6th in a minute is refused
for i in 1 2 3 4; do submit "$T/starter.zip" erin >/dev/null; done
submit "$T/starter.zip" erin >/dev/null; [ "$(code)" = 201 ] && ok "5 in a minute: accepted" || bad "rate 5: $(code)"
submit "$T/starter.zip" erin >/dev/null; [ "$(code)" = 429 ] && ok "the 6th in a minute: 429" || bad "rate: $(code)"
# re-grade
R=$(curl -s -X POST -H "Authorization: Bearer $TOKEN" "$URL/api/v1/submissions/$A/regrade" | json id)
wait_done "$R" >"$T/r.json" && [ "$(json score <"$T/r.json")" = 50 ] && [ "$R" != "$A" ] && ok "re-grade: a new result" || bad "regrade"

# a crash in the middle of grading, then a restart: nothing lost, nothing graded twice
for s in f1 f2 f3 f4; do submit "$T/sol.tar.gz" $s >/dev/null; done
for _ in $(seq 100); do curl -s "$URL/api/v1/health" | grep -q '"running":[1-9]' && break; sleep 0.05; done
serve_stop KILL
ok "killed with SIGKILL while grading"
serve_start -j 2 --max-upload 256K --rate 5
for _ in $(seq 600); do curl -s "$URL/api/v1/health" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d["queued"]+d["running"]>0)' && break; sleep 0.1; done
curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/results" >"$T/results.json"
python3 - "$T/results.json" <<'PY' && ok "after the restart: every submission graded once" || bad "restart"
import json, sys
r = {x["student"]: x for x in json.load(open(sys.argv[1]))}
for s in ("f1", "f2", "f3", "f4", "alice"):
    assert r[s]["state"] == "done" and r[s]["score"] == 50, r.get(s)
    names = [c["name"] for c in r[s]["checks"]]
    assert len(names) == len(set(names)) and names, names   # one set of checks: graded once
assert any(r[s]["attempts"] == 2 for s in ("f1", "f2", "f3", "f4")), "no grading was interrupted"
PY

# the instructor's page
curl -s -o /dev/null -w '%{http_code}' "$URL/course/cs695" >"$T/code"
[ "$(code)" = 401 ] && ok "the page without signing in: 401" || bad "page: $(code)"
curl -s -D "$T/h" -o /dev/null "$URL/course/cs695?key=$TOKEN"
grep -qi "^Set-Cookie: kvmlab_token=.*HttpOnly; SameSite=Strict" "$T/h" && grep -q "303" "$T/h" &&
	ok "signing in: a cookie, HttpOnly, SameSite=Strict" || bad "sign-in"
curl -s -o /dev/null -w '%{http_code}' "$URL/course/other?key=$TOKEN" >"$T/code"
[ "$(code)" = 401 ] && ok "one course's token does not open another's page" || bad "other page: $(code)"
curl -s -b "kvmlab_token=$TOKEN" "$URL/course/cs695" >"$T/page.html"
grep -q '<table id="results">' "$T/page.html" && grep -q '>alice<' "$T/page.html" && grep -q 're-grade' "$T/page.html" &&
	ok "the page: results, checks, re-grade buttons" || bad "page content"
curl -s -b "kvmlab_token=$TOKEN" "$URL/course/cs695/histogram.svg" | grep -q 'class="bar"' &&
	curl -s -b "kvmlab_token=$TOKEN" "$URL/course/cs695/checks.svg" | grep -q 'class="pass"' &&
	ok "the pictures: histogram and pass rates (SVG)" || bad "svg"
curl -s -o /dev/null -w '%{http_code}' -X POST -b "kvmlab_token=$TOKEN" -H "Sec-Fetch-Site: cross-site" \
	"$URL/course/cs695/regrade/$A" >"$T/code"
[ "$(code)" = 403 ] && ok "a re-grade from another site: 403" || bad "csrf: $(code)"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
	mkdir -p "$T/chrome"
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/chrome" --hide-scrollbars --window-size=1100,2200 \
		--screenshot="$T/page.png" "$URL/course/cs695?key=$TOKEN" >"$T/chrome.log" 2>&1
	python3 "$(dirname "$0")/pngcheck.py" "$T/page.png" && ok "the page in headless Chromium: screenshot shows both pictures" ||
		{ bad "chromium screenshot"; tail -5 "$T/chrome.log"; }
	[ -n "${KVMLAB_KEEP_SCREENSHOT:-}" ] && cp "$T/page.png" "$KVMLAB_KEEP_SCREENSHOT"
else
	echo "note: chromium is not installed; the page was checked with curl only"
fi
serve_stop TERM
grep -q "stopping" "$T/serve.log" && ok "SIGTERM: stopped" || bad "stop"
exit $fail
