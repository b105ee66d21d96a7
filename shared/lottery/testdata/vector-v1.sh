#!/bin/sh
# How testdata/drawn-v1.json was made: enrol-lottery-v1 redone with sha256sum
# and openssl alone, without the Go code, for offering "o1" and applications
# a1, a2, a3 (all tier 1). Run it to see the steps; the tests read the JSON it
# printed, pasted as it was.
set -eu
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
T1=$(sha "enrol-ticket-v1|o1|a1")
T2=$(sha "enrol-ticket-v1|o1|a2")
T3=$(sha "enrol-ticket-v1|o1|a3")
SORTED=$(printf '%s\n' "$T1" "$T2" "$T3" | LC_ALL=C sort)
DIGEST=$(sha "$SORTED")   # $(...) drops the last newline: joined by "\n"
SECRET=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
RANDOMNESS=$(sha "beacon round 1")
COMMITMENT=$(sha "$SECRET")   # the secret's hex string, as written
SEED=$(sha "enrol-lottery-v1|$SECRET|$DIGEST|$RANDOMNESS")
num() { printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$SEED" | awk '{print $NF}'; }
RESULTS=$(for t in $T1 $T2 $T3; do echo "$t $(num "$t")"; done | LC_ALL=C sort -k2 |
	awk 'BEGIN{ORS=""} {if (NR>1) print ",\n    "; printf "{\"ticket\": \"%s\", \"tier\": 1, \"number\": \"%s\", \"rank\": %d}", $1, $2, NR}')
TICKETS=$(echo "$SORTED" | awk 'BEGIN{ORS=""} {if (NR>1) print ",\n    "; printf "\"%s\"", $1}')
cat <<JSON
{
  "algorithm": "enrol-lottery-v1",
  "status": "drawn",
  "commitment": "$COMMITMENT",
  "beacon": {"source": "test: sha256 of 'beacon round 1'", "round": 1, "randomness": "$RANDOMNESS"},
  "applicants_digest": "$DIGEST",
  "tickets": [
    $TICKETS
  ],
  "secret": "$SECRET",
  "seed": "$SEED",
  "results": [
    $RESULTS
  ]
}
JSON
