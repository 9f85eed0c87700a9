#!/bin/sh
# serve-bench.sh KVMLAB LABS_DIR - figures of `kvmlab serve -j 2` over loopback:
#  1. submit-to-result latency of one lab-04 submission: median and p95 over 100, sent one
#     after the other (each waited for: submitted, polled every 20 ms until done);
#  2. throughput: 200 submissions sent at once (200 client threads), every one accounted for
#     (201 Created, then done with a score), the time until the last result.
# SERVE_BENCH_N / SERVE_BENCH_BURST change the counts.
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/../deploy/lib.sh"
(cd "$LABS/04-hypercalls/solution" && tar czf "$T/sol.tar.gz" ./*)
serve_start -j 2 --rate 1000 --max-queued 100000
python3 - "$URL" "$TOKEN" "$T/sol.tar.gz" "${SERVE_BENCH_N:-100}" "${SERVE_BENCH_BURST:-200}" <<'PY'
import json, statistics, sys, threading, time, urllib.request

url, token, archive, n, burst = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
body = open(archive, "rb").read()
auth = {"Authorization": "Bearer " + token}

def submit(student):
    req = urllib.request.Request(f"{url}/api/v1/submissions?lab=04&student={student}", data=body,
                                 headers=auth, method="POST")
    with urllib.request.urlopen(req, timeout=120) as r:
        assert r.status == 201, r.status
        return json.load(r)["id"]

def state(i):
    req = urllib.request.Request(f"{url}/api/v1/submissions/{i}", headers=auth)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)

def wait(i, poll=0.02):
    while True:
        s = state(i)
        if s["state"] == "done":
            return s
        time.sleep(poll)

lat = []
for k in range(n):
    t0 = time.monotonic()
    s = wait(submit(f"lat{k}"))
    lat.append(time.monotonic() - t0)
    assert s["score"] == 50, s
lat.sort()
p95 = lat[min(len(lat) - 1, int(round(0.95 * len(lat))) - 1)]
print(f"bench: serve -j 2, lab 04, {n} submissions one at a time: submit-to-result latency "
      f"median {statistics.median(lat):.3f} s, p95 {p95:.3f} s, min {lat[0]:.3f} s, max {lat[-1]:.3f} s")

ids, errors = [None] * burst, []
def one(k):
    try:
        ids[k] = submit(f"burst{k}")
    except Exception as e:
        errors.append(repr(e))
t0 = time.monotonic()
threads = [threading.Thread(target=one, args=(k,)) for k in range(burst)]
for t in threads: t.start()
for t in threads: t.join()
t_sent = time.monotonic() - t0
assert not errors and len(set(ids)) == burst, (errors[:3], len(set(ids)))
done = {}
while len(done) < burst:
    for i in ids:
        if i not in done:
            s = state(i)
            if s["state"] == "done":
                done[i] = s
    time.sleep(0.2)
total = time.monotonic() - t0
scores = [s["score"] for s in done.values()]
assert all(x == 50 for x in scores), [s for s in done.values() if s["score"] != 50][:2]
print(f"bench: serve -j 2, lab 04, {burst} submissions sent at once: all {burst} accepted in "
      f"{t_sent:.2f} s, all graded (50/50 each, none lost) after {total:.1f} s: "
      f"{burst / total:.2f} submissions/s, {total / burst:.3f} s each")
PY
st=$?
serve_stop TERM
exit $st
