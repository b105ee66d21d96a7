#!/usr/bin/env bash
# with-stack.sh PORT COMMAND...: start the local stack (demo data, the built
# front end) on 127.0.0.1:PORT, wait until it is up, run COMMAND with
# ENROL_URL set, stop the stack, and exit with COMMAND's status. The browser
# tests run this way, against the system `make run` starts.
set -euo pipefail
port=$1; shift
cd "$(dirname "$0")/../.."
mkdir -p build
# With the race detector: after make test's Go tests its packages are all
# in the build cache (a plain build would compile everything again), and
# the browser tests then also look for races in the whole system.
go build -race -o build/enrol-local ./infra/local/cmd/enrol-local
# A folder of its own, emptied first: the tests start from the demo data,
# whatever make run has kept in build/local-data.
PORT=$port WEB_DIR=web/dist ENROL_DATA=build/browser-stack-data ENROL_FRESH=1 build/enrol-local > build/browser-stack.log 2>&1 &
stack=$!
trap 'kill $stack 2>/dev/null; wait $stack 2>/dev/null || true' EXIT
# Ready when /_local/health says ok: it listens, answering 503
# {"status":"starting"}, before the demo data is in.
ready=
for _ in $(seq 1 240); do
	if curl -fsS -o /dev/null "http://127.0.0.1:$port/_local/health" 2>/dev/null; then
		ready=1
		break
	fi
	if ! kill -0 $stack 2>/dev/null; then
		echo "the stack stopped; its log:" >&2
		cat build/browser-stack.log >&2
		exit 1
	fi
	sleep 0.5
done
test -n "$ready" || { echo "the stack was not up in 2 minutes; its log:" >&2; cat build/browser-stack.log >&2; exit 1; }
ENROL_URL="http://127.0.0.1:$port" "$@"
