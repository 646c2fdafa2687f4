"""Publish an incremental run without rewriting the rows it carries over.

An incremental run writes only the records it classified again (its *delta*) and the keys it
does not carry over (``DatasetRun.excluded_keys_table``). Inside the publish transaction, for
each result table (matches, mismatches, candidate lists):

1. the run's table is renamed to its delta leaf (``DatasetRun.delta_table``) and the run's
   table is created again, partitioned by ``LIST (run_id)``, with the delta as the leaf of the
   run's own ``run_id``;
2. the published table of the baseline run is detached from the dataset's partition; the rows
   of the excluded keys (and of records without a key, classified every run) are deleted from
   it, and it is attached to the new table as the leaf of the run that classified its rows. A
   baseline that was itself incremental hands over its leaves one by one (the tree stays two
   levels deep; a full run drops them all).

No carried row is copied: the cost is the delete of the changed keys. Every result table of a
dataset is one tree; the transaction publishes all of it or, rolled back, leaves the baseline
published as it was. Carried rows keep the ``run_id`` and ``logical_date`` of the run that
classified them (docs/data-contract.md, "Incremental runs").
"""

import re
from typing import Any

import psycopg
from psycopg import sql

from popsync.db.identifiers import quoted
from popsync.db.sql_files import read_sql
from popsync.pipeline.run import DatasetRun

_LIST_BOUND = re.compile(r"^FOR VALUES IN \('((?:[^']|'')*)'\)$")


class CarriedPartitionError(RuntimeError):
    """A published table is not shaped as publish left it (unexpected partition key or bound)."""


def _partition_key(conn: psycopg.Connection[Any], table: tuple[str, str]) -> str | None:
    """The column a partitioned table is partitioned by (None: a plain table)."""
    row = conn.execute(read_sql("warehouse/partition_key.sql"), {"schema": table[0], "name": table[1]}).fetchone()
    return None if row is None else str(row[0])


def _leaves(conn: psycopg.Connection[Any], table: tuple[str, str]) -> list[tuple[tuple[str, str], str]]:
    """The partitions of a table partitioned by ``run_id``, with the run id of each."""
    rows = conn.execute(read_sql("warehouse/partition_bounds.sql"), {"schema": table[0], "name": table[1]}).fetchall()
    leaves = []
    for schema, name, bound in rows:
        match = _LIST_BOUND.match(str(bound))
        if match is None:
            raise CarriedPartitionError(f"unexpected partition bound on a published table: {bound}")
        leaves.append(((str(schema), str(name)), match.group(1).replace("''", "'")))
    return leaves


def _carry(
    conn: psycopg.Connection[Any], leaf: tuple[str, str], run_id: str, target: tuple[str, str], excluded: sql.Composable
) -> None:
    """Delete the excluded keys' rows from ``leaf`` and attach it to ``target`` as ``run_id``'s leaf."""
    conn.execute(sql.SQL(read_sql("warehouse/carried_delete.sql")).format(carried=quoted(*leaf), excluded=excluded))
    conn.execute(
        sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
            quoted(*target), quoted(*leaf), sql.Literal(run_id)
        )
    )


def assemble_incremental(
    conn: psycopg.Connection[Any], run: DatasetRun, baseline_run_id: str, previous: dict[str, str]
) -> None:
    """Make each of the run's result tables its delta plus the baseline's rows still current.

    ``previous``: the published table of each kind (in ``sync_partitions``), still attached to
    the dataset's partition; this detaches it. Runs inside the publish transaction.
    """
    excluded = quoted(*run.excluded_keys_table)
    for kind, table in run.result_tables().items():
        delta = run.delta_table(kind)
        conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(quoted(*table), sql.Identifier(delta[1])))
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (run_id)"
            ).format(quoted(*table), quoted("sync", kind))
        )
        conn.execute(
            sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
                quoted(*table), quoted(*delta), sql.Literal(run.run_id)
            )
        )
        old = ("sync_partitions", previous[kind])
        conn.execute(
            sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(quoted(*run.sector_partition(kind)), quoted(*old))
        )
        if _partition_key(conn, old) == "run_id":  # an incremental run's: hand its leaves over
            for leaf, leaf_run in _leaves(conn, old):
                conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(quoted(*old), quoted(*leaf)))
                _carry(conn, leaf, leaf_run, table, excluded)
            conn.execute(sql.SQL("DROP TABLE {}").format(quoted(*old)))
        else:  # a full run's table (plain, or partitioned by bucket)
            _carry(conn, old, baseline_run_id, table, excluded)
    # the excluded keys stay until the lifecycle has read them (publish drops them after it)
