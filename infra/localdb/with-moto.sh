#!/usr/bin/env bash
# with-moto.sh COMMAND...: start moto's DynamoDB (moto_server) on a free
# loopback port, wait until it answers, run COMMAND with ENROL_TEST_DYNAMODB
# naming it, stop moto, and exit with COMMAND's status. make test-fidelity
# runs the store and end-to-end tests on this second DynamoDB, giving it to
# `go test -exec`: each test binary gets a moto of its own. One moto shared
# by every package ran their requests on one Python process's threads, where
# one table's transaction failed while another test wrote elsewhere
# ("dictionary changed size during iteration", a 500 and a retry) and a
# transaction was once answered as if its own earlier attempt were someone
# else's write (shared/store/DESIGN.md, "Two emulators").
# COMMAND runs in the current directory (go test runs a package's binary in
# its folder); the log goes to build/ at the repository's root.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if ! command -v moto_server > /dev/null 2>&1; then
	echo "test-fidelity: moto_server is not installed, so the second DynamoDB pass cannot run." >&2
	echo "It is moto's server (Python; moto 5.2.1 here and on CI): pip install 'moto[server]==5.2.1'" >&2
	exit 1
fi
mkdir -p "$root/build"
log="$root/build/moto-$$.log"
# moto's own Python runs it through moto_one_at_a_time.py (one request at a
# time: moto's threads lose writes otherwise, see that file).
python=python3
script=$(command -v moto_server)
if command -v pyenv > /dev/null 2>&1; then script=$(pyenv which moto_server 2> /dev/null || echo "$script"); fi
case "$(head -n 1 "$script")" in '#!'*python*) python=$(head -n 1 "$script" | sed 's/^#! *//') ;; esac
if ! $python -c 'import moto.server' 2> /dev/null; then
	echo "test-fidelity: $python cannot import moto.server, the Python that runs moto_server ($script)." >&2
	exit 1
fi
$python "$root/infra/localdb/moto_one_at_a_time.py" -H 127.0.0.1 -p 0 > "$log" 2>&1 &
moto=$!
child=""
stop() {
	if [ -n "$child" ]; then kill "$child" 2>/dev/null || true; fi
	kill "$moto" 2>/dev/null || return 0
	for _ in $(seq 1 50); do
		kill -0 "$moto" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$moto" 2>/dev/null || true
	wait "$moto" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# answers: moto answers HTTP on $1 (host:port); bash's /dev/tcp, no curl needed.
answers() {
	(
		exec 3<>"/dev/tcp/${1%:*}/${1##*:}"
		printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$1" >&3
		IFS= read -r -t 5 line <&3
		[[ $line == "HTTP/1."?" 200"* ]]
	) 2> /dev/null
}
url=""
for _ in $(seq 1 120); do
	if ! kill -0 "$moto" 2>/dev/null; then
		echo "test-fidelity: moto_server stopped at start; its log:" >&2
		cat "$log" >&2
		exit 1
	fi
	url=$(sed -n 's|.*Running on \(http://127\.0\.0\.1:[0-9][0-9]*\).*|\1|p' "$log" | head -n 1)
	if [ -n "$url" ] && answers "${url#http://}"; then
		break
	fi
	url=""
	sleep 0.5
done
if [ -z "$url" ]; then
	echo "test-fidelity: moto_server did not answer within a minute; its log:" >&2
	cat "$log" >&2
	exit 1
fi
# In the background, so that a signal reaches the trap (and stops moto) at once.
ENROL_TEST_DYNAMODB=$url "$@" &
child=$!
status=0
wait "$child" || status=$?
child=""
# A passing binary's moto log is noise; a failing one's is kept and named.
if [ "$status" = 0 ]; then
	rm -f "$log"
else
	echo "moto's DynamoDB was $url; its log: $log" >&2
fi
exit "$status"
