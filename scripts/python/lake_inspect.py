"""Reads one Delta table of the lake with delta-rs (the `deltalake` package), an independent
reader, and prints what the tests check as one JSON object: version, schema, partition columns,
row counts (total, per partition, per version), history, txn versions and selected columns."""

import argparse
import base64
import datetime
import decimal
import json
import os
import sys

from deltalake import DeltaTable


def plain(value):
    """A JSON-friendly form of an Arrow/Python value (exact: decimals as text)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("uri")
    parser.add_argument("--version", type=int)
    parser.add_argument("--columns", help="comma-separated columns to return as rows")
    parser.add_argument("--txn", action="append", default=[], help="appId whose txn version to report")
    parser.add_argument("--counts-at-versions", action="store_true", help="row count at every version")
    args = parser.parse_args()

    dt = DeltaTable(args.uri)
    latest = dt.version()
    if args.version is not None:
        dt.load_as_version(args.version)

    schema = json.loads(dt.schema().to_json())
    table = dt.to_pyarrow_table()
    partition_columns = list(dt.metadata().partition_columns)
    partitions = {}
    if partition_columns:
        keys = zip(*[table.column(c).to_pylist() for c in partition_columns])
        for key in keys:
            name = "/".join(f"{c}={plain(v)}" for c, v in zip(partition_columns, key))
            partitions[name] = partitions.get(name, 0) + 1

    out = {
        "version": dt.version(),
        "latest_version": latest,
        "schema": [
            {"name": f["name"], "type": f["type"], "nullable": f["nullable"]} for f in schema["fields"]
        ],
        "arrow_schema": {f.name: str(f.type) for f in table.schema},
        "partition_columns": partition_columns,
        "num_rows": table.num_rows,
        "partitions": partitions,
        "num_files": len(dt.file_uris()),
        "history": [
            {
                "version": h.get("version"),
                "operation": h.get("operation"),
                "timestamp": h.get("timestamp"),
                "metrics": h.get("operationMetrics"),
            }
            for h in dt.history()
        ],
        "txns": {app: dt.transaction_version(app) for app in args.txn},
    }
    if args.columns:
        cols = args.columns.split(",")
        out["rows"] = [[plain(v) for v in row] for row in zip(*[table.column(c).to_pylist() for c in cols])]
    if args.counts_at_versions:
        counts = {}
        for v in range(0, latest + 1):
            counts[str(v)] = DeltaTable(args.uri, version=v).to_pyarrow_table(columns=[]).num_rows
        out["counts_at_versions"] = counts
    json.dump(out, sys.stdout)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
    # Skip interpreter teardown: with Arrow's and delta-rs' native thread pools still alive it
    # occasionally aborts ("terminate called without an active exception") after the work is done.
    os._exit(0)
