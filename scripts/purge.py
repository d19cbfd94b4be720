"""`make purge`: remove what is older than the retention period; a scheduler can run it daily.

    python -m scripts.purge [--days N]

Conversations idle for more than $CLINIC_RETENTION_DAYS days (default 90), unless
a request of theirs is still open, and closed requests last changed before then.
The clinic database is $CLINIC_DB_URL (else var/clinic_requests.db); the
conversations are in $TRACKER_DB_URL, else the SQL tracker store in endpoints.yml.
"""

from __future__ import annotations

import argparse
import os
import sys

from sqlalchemy import create_engine

from clinic.data_erasure import DataEraser, retention_days
from clinic.request_store import StoreUnavailable
from console.transcripts import tracker_db_url_from_endpoints
from scripts.services import REPO


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.purge", description=__doc__.splitlines()[0])
    parser.add_argument("--days", help="the retention period (default $CLINIC_RETENTION_DAYS, else 90)")
    args = parser.parse_args(argv)
    try:
        days = retention_days(args.days)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    tracker_url = os.environ.get("TRACKER_DB_URL") or tracker_db_url_from_endpoints(
        REPO / "endpoints.yml", REPO
    )
    tracker = create_engine(tracker_url, future=True) if tracker_url else None
    try:
        purged = DataEraser().purge(days, tracker)
    except StoreUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if tracker is not None:
            tracker.dispose()
    where = "" if tracker else " (no SQL tracker store configured: conversations left alone)"
    conversations, requests = purged.conversations_removed, purged.requests_removed
    print(
        f"Removed {conversations} conversation{'' if conversations == 1 else 's'} and {requests} closed "
        f"request{'' if requests == 1 else 's'} older than {days} days{where}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
