"""Prints the attribution rows a models run publishes, read from the local DuckDB warehouse.

Used by workers/models/attribution-publication.ts (the models job's publish phase): one JSON
object per line on stdout, made by DuckDB (to_json: several times faster than json.dumps per
row), so Node streams them into PostgreSQL as they come without parsing them. The first key,
"k", says what a line is:

  {"k":"c", checkout_id, user_id, click_id, model, weight, credited_amount, click_time, channel,
            campaign, product_id, checkout_date}     a row of marts.fct_attribution_credits with a click
  {"k":"b", model, checkout_date, channel, campaign, credited_amount, conversions, checkouts,
            clicks}                                  a row of marts.rpt_attribution_by_channel
  {"k":"o", model, checkout_date, channel, campaign} a by-channel row whose sum overflowed DECIMAL(38,2)

Every value is text (decimals and ids exact; timestamps in UTC with their zone, dates ISO) or null.
"""

import sys

import duckdb

BATCH = 20_000

QUERIES = [
    """select to_json({
           'k': 'c', 'checkout_id': checkout_id, 'user_id': cast(user_id as varchar),
           'click_id': click_id, 'model': model, 'weight': cast(weight as varchar),
           'credited_amount': cast(credited_amount as varchar),
           'click_time': cast(click_time as varchar) || '+00', 'channel': channel,
           'campaign': campaign, 'product_id': product_id,
           'checkout_date': cast(checkout_date as varchar)})
       from marts.fct_attribution_credits
       where click_id is not null""",
    """select to_json({
           'k': 'b', 'model': model, 'checkout_date': cast(checkout_date as varchar),
           'channel': channel, 'campaign': campaign,
           'credited_amount': cast(credited_amount as varchar),
           'conversions': cast(conversions as varchar), 'checkouts': cast(checkouts as varchar),
           'clicks': cast(clicks as varchar)})
       from marts.rpt_attribution_by_channel
       where not is_amount_overflow""",
    """select to_json({
           'k': 'o', 'model': model, 'checkout_date': cast(checkout_date as varchar),
           'channel': channel, 'campaign': campaign})
       from marts.rpt_attribution_by_channel
       where is_amount_overflow""",
]


def main():
    # Standard output may be a socket (Node's pipes are), which DuckDB cannot open as a file.
    sys.stdout.reconfigure(encoding="utf-8")
    con = duckdb.connect(sys.argv[1], read_only=True)
    for query in QUERIES:
        cursor = con.execute(query)
        while rows := cursor.fetchmany(BATCH):
            sys.stdout.write("".join(row[0] + "\n" for row in rows))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
