"""moto's server, answering one request at a time.

moto keeps a table's items in a defaultdict keyed by partition key, and
DynamoType's hash and equality are Python methods: two threads writing the
first items of a new partition key at once can each create the partition,
and the second replaces the first with its own, losing the first's write
(a copied table lost a whole account's items that way, and the reminders
job a booking). DynamoDB never does that, so the second DynamoDB under our
tests must not either: every request runs under one lock. Clients still
send concurrently; only moto's handling is in turn.

Usage: python3 moto_one_at_a_time.py -H 127.0.0.1 -p 0 (moto_server's flags).
"""

import sys
import threading

from moto import server

_lock = threading.Lock()
_run_simple = server.run_simple


def _one_at_a_time(app):
    def wrapped(environ, start_response):
        with _lock:
            # The whole body is produced under the lock: moto builds it
            # while it reads the table.
            return [b"".join(app(environ, start_response))]

    return wrapped


def run_simple(host, port, app, **kwargs):
    return _run_simple(host, port, _one_at_a_time(app), **kwargs)


server.run_simple = run_simple

if __name__ == "__main__":
    server.main(sys.argv[1:])
