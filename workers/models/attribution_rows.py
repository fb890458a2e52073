"""Prints the attribution rows a models run publishes, read from the local DuckDB warehouse.

Used by workers/models/attribution-publication.ts (the models job's publish phase): one JSON array
per line on stdout, so Node streams them into PostgreSQL without holding them all.

  ["c", checkout_id, user_id, click_id, model, weight, credited_amount, click_time, channel,
        campaign, product_id, checkout_date]    a row of marts.fct_attribution_credits with a click
  ["b", model, checkout_date, channel, campaign, credited_amount, conversions, checkouts, clicks]
                                                 a row of marts.rpt_attribution_by_channel
  ["o", model, checkout_date, channel, campaign] a by-channel row whose sum overflowed DECIMAL(38,2)

Decimals and user ids travel as text (exact); timestamps as ISO 8601 in UTC.
"""

import json
import sys
from datetime import date, datetime

import duckdb

BATCH = 10_000


def text(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds") + "+00:00"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def stream(con, kind, sql, out):
    cursor = con.execute(sql)
    while True:
        rows = cursor.fetchmany(BATCH)
        if not rows:
            return
        for row in rows:
            out.write(json.dumps([kind, *[text(v) for v in row]], ensure_ascii=False))
            out.write("\n")


def main():
    con = duckdb.connect(sys.argv[1], read_only=True)
    sys.stdout.reconfigure(encoding="utf-8")
    out = sys.stdout
    stream(
        con,
        "c",
        """select checkout_id, user_id, click_id, model, weight, credited_amount, click_time,
                  channel, campaign, product_id, checkout_date
           from marts.fct_attribution_credits
           where click_id is not null""",
        out,
    )
    stream(
        con,
        "b",
        """select model, checkout_date, channel, campaign, credited_amount, conversions, checkouts,
                  clicks
           from marts.rpt_attribution_by_channel
           where not is_amount_overflow""",
        out,
    )
    stream(
        con,
        "o",
        """select model, checkout_date, channel, campaign
           from marts.rpt_attribution_by_channel
           where is_amount_overflow""",
        out,
    )
    out.flush()


if __name__ == "__main__":
    main()
