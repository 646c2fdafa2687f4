"""``popsync verdict set|show|history``: verdicts on mismatches from the command line.

The actor is the OS user unless ``--actor`` is given; every verdict is audited.
"""

import argparse
import getpass
from typing import Any

from popsync.settings import WAREHOUSE_CONN_ID


def add_verdict_parser(commands: Any) -> None:
    verdict = commands.add_parser("verdict", help="give, show or list verdicts on a mismatched record")
    actions = verdict.add_subparsers(dest="verdict_action", required=True)
    for name, text in (
        ("set", "record a verdict (replaces the current one; history is kept)"),
        ("show", "the record's lifecycle and current verdict"),
        ("history", "every verdict given on the record"),
    ):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("sector")
        sub.add_argument("dataset")
        sub.add_argument("source_key")
        if name == "set":
            sub.add_argument("verdict", help="acknowledged, fixing_at_source, register_wrong or not_fixable")
            sub.add_argument("--comment", help="why (required for not_fixable)")
            sub.add_argument("--actor", help="who gives the verdict (default: the OS user)")


def _date(value: Any) -> str:
    return "-" if value is None else value.isoformat(timespec="seconds")


def run_verdict(args: argparse.Namespace) -> int:
    from popsync.db.connections import connect
    from popsync.review.lifecycle import lifecycle_entry
    from popsync.review.verdicts import record_verdict, verdict_history

    scope = {"sector": args.sector, "dataset": args.dataset, "source_key": args.source_key}
    with connect(WAREHOUSE_CONN_ID) as conn:
        if args.verdict_action == "set":
            record = record_verdict(
                conn, **scope, verdict=args.verdict, actor=args.actor or getpass.getuser(), comment=args.comment
            )
            conn.commit()
            print(f"verdict {record.verdict} recorded by {record.actor} at {_date(record.recorded_at)}")
        elif args.verdict_action == "history":
            records = verdict_history(conn, **scope)
            if not records:
                print("no verdicts on this record")
            for record in records:
                print(f"{_date(record.recorded_at)}  {record.verdict:<17} {record.actor:<16} {record.comment or ''}")
        else:
            entry = lifecycle_entry(conn, **scope)
            if entry is None:
                print("this record has never been mismatched")
                return 1
            print(
                f"status:   {entry.status} (first seen {_date(entry.first_seen)}, last seen {_date(entry.last_seen)})"
            )
            if entry.status == "resolved":
                print(f"resolved: {entry.resolution} at {_date(entry.resolved_at)}")
            print(f"reasons:  {', '.join(entry.current_reasons)} (before: {', '.join(entry.previous_reasons or [])})")
            print(f"reopened: {entry.reopened_count} times")
            if entry.verdict is not None:
                state = (
                    "closed"
                    if entry.verdict_closed_at
                    else ("FLAGGED: reopened" if entry.verdict_flagged else "current")
                )
                print(f"verdict:  {entry.verdict} by {entry.verdict_by} at {_date(entry.verdict_at)} ({state})")
                if entry.verdict_comment:
                    print(f"comment:  {entry.verdict_comment}")
    return 0
