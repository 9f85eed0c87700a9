# lib.sh - what the deployment tests share: a `kvmlab serve` started and stopped by the test,
# curl against it, waiting for results.  Sourced after KVMLAB and LABS are set; sources
# tests/labs/lib.sh (the /dev/kvm skip, $T, ok/bad).
. "$(dirname "$0")/../labs/lib.sh"
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
mkdir -p "$T/tmp"; TMPDIR=$T/tmp; export TMPDIR
TOKEN=cs695-0123456789abcdef
printf '# course token\ncs695 %s\nother 9999999999999999-other\n' "$TOKEN" >"$T/tokens"
SERVE_PID=
PORT=

# serve_start [options]: kvmlab serve on a free loopback port, data in $T/data.
serve_start() {
	rm -f "$T/port"
	"$KVMLAB" serve --data "$T/data" --tokens "$T/tokens" --port 0 --port-file "$T/port" "$@" \
		2>>"$T/serve.log" &
	SERVE_PID=$!
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	PORT=$(cat "$T/port" 2>/dev/null)
	[ -n "$PORT" ] || { echo "serve did not start:"; cat "$T/serve.log"; exit 1; }
	URL=http://127.0.0.1:$PORT
}
serve_stop() {   # serve_stop [SIGNAL]
	[ -n "$SERVE_PID" ] || return 0
	kill "-${1:-TERM}" "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
	SERVE_PID=
}
trap 'serve_stop KILL; rm -rf "$T"' EXIT

# submit ARCHIVE STUDENT [LAB]: POST it; prints the JSON answer; the HTTP code in $T/code.
submit() {
	curl -s -o "$T/answer" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
		--data-binary "@$1" "$URL/api/v1/submissions?lab=${3:-04}&student=$2" >"$T/code"
	cat "$T/answer"
}
json() {   # json FIELD < JSON
	python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(v)' "$1"
}
# wait_done ID [SECONDS]: poll until the submission is done; prints its JSON.
wait_done() {
	for _ in $(seq $((${2:-60} * 10))); do
		curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/submissions/$1" >"$T/poll"
		[ "$(json state <"$T/poll" 2>/dev/null)" = done ] && { cat "$T/poll"; return 0; }
		sleep 0.1
	done
	cat "$T/poll"; return 1
}
