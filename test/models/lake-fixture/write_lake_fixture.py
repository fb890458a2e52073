"""Writes NDJSON rows (made by build-lake-fixture.ts) into Delta tables with the lake contract's
schema, the way the lake export does: clicks, checkouts and dead_letters are appended, users is an
SCD type 2 history updated by comparison, speed_attributed_checkouts is overwritten.

Usage: write_lake_fixture.py LAKE_URI INPUT_DIR EXPORTED_AT_MS
INPUT_DIR holds <table>-<n>.ndjson chunks; times are epoch milliseconds, amounts decimal text.
"""

import base64
import glob
import os
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
from deltalake import DeltaTable, write_deltalake

UTC_US = pa.timestamp("us", tz="UTC")
# decimal(38,2), as the lake export writes it (lib/lake/lake-tables.ts).
AMOUNT = pa.decimal128(38, 2)

# The NDJSON shape of each table (times in ms) ...
INPUT_SCHEMAS = {
    "clicks": pa.schema([
        ("click_id", pa.string()), ("user_id", pa.int64()), ("product_id", pa.string()),
        ("product", pa.string()), ("price", pa.float64()), ("url", pa.string()),
        ("user_agent", pa.string()), ("ip_address", pa.string()), ("event_time", pa.int64()),
        ("kafka_topic", pa.string()), ("kafka_partition", pa.int32()), ("kafka_offset", pa.int64()),
    ]),
    "checkouts": pa.schema([
        ("checkout_id", pa.string()), ("user_id", pa.int64()), ("product_id", pa.string()),
        ("payment_method", pa.string()), ("total_amount", pa.string()),
        ("shipping_address", pa.string()), ("billing_address", pa.string()),
        ("user_agent", pa.string()), ("ip_address", pa.string()), ("event_time", pa.int64()),
        ("kafka_topic", pa.string()), ("kafka_partition", pa.int32()), ("kafka_offset", pa.int64()),
    ]),
    "dead_letters": pa.schema([
        ("topic", pa.string()), ("partition", pa.int32()), ("offset", pa.int64()),
        ("raw", pa.string()), ("reason", pa.string()),
    ]),
    "users": pa.schema([("user_id", pa.int64()), ("username", pa.string())]),
    "speed_attributed_checkouts": pa.schema([
        ("checkout_id", pa.string()), ("user_id", pa.int64()), ("user_name", pa.string()),
        ("click_id", pa.string()), ("product_id", pa.string()), ("total_amount", pa.string()),
        ("checkout_time", pa.int64()), ("click_time", pa.int64()), ("is_final", pa.bool_()),
        ("is_unknown_user", pa.bool_()), ("is_late", pa.bool_()),
    ]),
}


def ms_to_timestamp(column):
    return pc.cast(pc.cast(column, pa.timestamp("ms", tz="UTC")), UTC_US)


def constant_timestamp(ms, length):
    return ms_to_timestamp(pa.array([ms] * length, pa.int64()))


def events_batch(batch, exported_at_ms):
    """clicks / checkouts: event_time as timestamp, event_date, ingested_at; amounts as decimals."""
    columns = {name: batch.column(name) for name in batch.schema.names}
    columns["event_time"] = ms_to_timestamp(columns["event_time"])
    if "total_amount" in columns:
        columns["total_amount"] = pc.cast(columns["total_amount"], AMOUNT)
    columns["event_date"] = pc.cast(columns["event_time"], pa.date32())
    columns["ingested_at"] = constant_timestamp(exported_at_ms, batch.num_rows)
    order = [n for n in batch.schema.names if n not in ("kafka_topic", "kafka_partition", "kafka_offset")]
    order += ["event_date", "kafka_topic", "kafka_partition", "kafka_offset", "ingested_at"]
    return pa.record_batch([columns[n] for n in order], names=order)


def chunks(input_dir, table):
    return sorted(glob.glob(os.path.join(input_dir, f"{table}-*.ndjson")))


def read_chunk(path, table):
    options = pj.ParseOptions(explicit_schema=INPUT_SCHEMAS[table], unexpected_field_behavior="error")
    return pj.read_json(path, parse_options=options, read_options=pj.ReadOptions(block_size=64 << 20))


def exists(uri):
    return os.path.isdir(os.path.join(uri, "_delta_log"))


def append_events(lake, input_dir, table, exported_at_ms):
    """Appends one export's rows; the table is created (maybe empty) on the first export."""
    paths = chunks(input_dir, table)
    empty = pa.RecordBatch.from_pylist([], schema=INPUT_SCHEMAS[table])
    schema = events_batch(empty, exported_at_ms).schema
    uri = os.path.join(lake, table)
    if not paths:
        if not exists(uri):
            write_deltalake(uri, pa.Table.from_batches([], schema), mode="append", partition_by=["event_date"])
        return 0
    count = [0]

    def batches():
        for path in paths:
            for batch in read_chunk(path, table).to_batches():
                count[0] += batch.num_rows
                yield events_batch(batch, exported_at_ms)

    reader = pa.RecordBatchReader.from_batches(schema, batches())
    write_deltalake(uri, reader, mode="append", partition_by=["event_date"])
    return count[0]


def append_dead_letters(lake, input_dir, exported_at_ms):
    paths = chunks(input_dir, "dead_letters")
    tables = [read_chunk(p, "dead_letters") for p in paths]
    uri = os.path.join(lake, "dead_letters")
    if not tables and exists(uri):
        return 0
    rows = pa.concat_tables(tables) if tables else INPUT_SCHEMAS["dead_letters"].empty_table()
    n = rows.num_rows
    ingested_at = constant_timestamp(exported_at_ms, n)
    out = pa.table({
        "topic": rows["topic"],
        "partition": rows["partition"],
        "offset": rows["offset"],
        "raw": pa.array([base64.b64decode(x) for x in rows["raw"].to_pylist()], pa.binary()),
        "reason": rows["reason"],
        "ingested_at": ingested_at,
        "ingest_date": pc.cast(ingested_at, pa.date32()),
    })
    write_deltalake(uri, out, mode="append", partition_by=["ingest_date"])
    return n


def update_users(lake, input_dir, exported_at_ms):
    """SCD type 2: close the current version of renamed users, open versions for new names."""
    paths = chunks(input_dir, "users")
    current = {}
    for path in paths:
        for row in read_chunk(path, "users").to_pylist():
            current[row["user_id"]] = row["username"]
    uri = os.path.join(lake, "users")
    history = []
    first_export = True
    if exists(uri):
        first_export = False
        history = DeltaTable(uri).to_pyarrow_table().to_pylist()
    # The first export covers the history before the lake existed: its versions open at the epoch.
    opened_at = 0 if first_export else exported_at_ms
    now = exported_at_ms
    open_versions = {v["user_id"]: v for v in history if v["is_current"]}
    for user_id, username in current.items():
        version = open_versions.get(user_id)
        if version is not None and version["username"] == username:
            continue
        if version is not None:
            version["valid_to"] = now
            version["is_current"] = False
        history.append({"user_id": user_id, "username": username, "valid_from": opened_at if version is None else now,
                        "valid_to": None, "is_current": True})

    def ms(value):
        if value is None or isinstance(value, int):
            return value
        return int(value.timestamp() * 1000)

    out = pa.table({
        "user_id": pa.array([v["user_id"] for v in history], pa.int64()),
        "username": pa.array([v["username"] for v in history], pa.string()),
        "valid_from": ms_to_timestamp(pa.array([ms(v["valid_from"]) for v in history], pa.int64())),
        "valid_to": ms_to_timestamp(pa.array([ms(v["valid_to"]) for v in history], pa.int64())),
        "is_current": pa.array([v["is_current"] for v in history], pa.bool_()),
    })
    write_deltalake(uri, out, mode="overwrite")
    return len(history)


def overwrite_speed(lake, input_dir, exported_at_ms):
    tables = [read_chunk(p, "speed_attributed_checkouts") for p in chunks(input_dir, "speed_attributed_checkouts")]
    schema = INPUT_SCHEMAS["speed_attributed_checkouts"]
    rows = pa.concat_tables(tables) if tables else schema.empty_table()
    out = pa.table({
        "checkout_id": rows["checkout_id"],
        "user_id": rows["user_id"],
        "user_name": rows["user_name"],
        "click_id": rows["click_id"],
        "product_id": rows["product_id"],
        "total_amount": pc.cast(rows["total_amount"], AMOUNT),
        "checkout_time": ms_to_timestamp(rows["checkout_time"]),
        "click_time": ms_to_timestamp(rows["click_time"]),
        "is_final": rows["is_final"],
        "is_unknown_user": rows["is_unknown_user"],
        "is_late": rows["is_late"],
        "snapshot_at": constant_timestamp(exported_at_ms, rows.num_rows),
    })
    write_deltalake(os.path.join(lake, "speed_attributed_checkouts"), out, mode="overwrite")
    return rows.num_rows


def main():
    lake, input_dir, exported_at_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(lake, exist_ok=True)
    counts = {
        "clicks": append_events(lake, input_dir, "clicks", exported_at_ms),
        "checkouts": append_events(lake, input_dir, "checkouts", exported_at_ms),
        "dead_letters": append_dead_letters(lake, input_dir, exported_at_ms),
        "users": update_users(lake, input_dir, exported_at_ms),
        "speed_attributed_checkouts": overwrite_speed(lake, input_dir, exported_at_ms),
    }
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
