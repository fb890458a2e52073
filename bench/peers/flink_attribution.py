"""The Flink SQL peer of the speed layer (bench/peers.bench.ts runs it under measure.py).

Reads both source topics from the earliest offset to the end that exists at start
(scan.bounded.mode = latest-offset, so the job ends and its watermark reaches +inf), and writes
one row per checkout to a PostgreSQL table through the JDBC connector (upserts keyed by
checkout_id). Two formulations:

  exact     the rule of docs/attribution.md: left interval join of each checkout with
            its candidate clicks (c.t - 1 h <= k.t <= c.t), ranking partitioned per checkout
            ordered by (click time, click_id), rn = 1, left lookup join on commerce.users so
            unknown users keep their row.
  original  the public project's job as written (the spec describes it): inner lookup join on
            users, left interval join, ROW_NUMBER() partitioned per clicked (user, product)
            ordered by click time, rn = 1.
"""

import argparse
import glob
import os
import time

from pyflink.common import Configuration
from pyflink.table import EnvironmentSettings, TableEnvironment

CLICKS_DDL = """
CREATE TABLE clicks (
  click_id STRING,
  user_id BIGINT,
  product_id STRING,
  product STRING,
  price DOUBLE,
  url STRING,
  user_agent STRING,
  ip_address STRING,
  datetime_occured TIMESTAMP(3),
  processing_time AS PROCTIME(),
  WATERMARK FOR datetime_occured AS datetime_occured - INTERVAL '{lateness}' SECOND
) WITH ({kafka}, 'topic' = '{topic}', 'properties.group.id' = '{group}-clicks')
"""

CHECKOUTS_DDL = """
CREATE TABLE checkouts (
  checkout_id STRING,
  user_id BIGINT,
  product_id STRING,
  payment_method STRING,
  total_amount DECIMAL(38, 2),
  shipping_address STRING,
  billing_address STRING,
  user_agent STRING,
  ip_address STRING,
  datetime_occured TIMESTAMP(3),
  processing_time AS PROCTIME(),
  WATERMARK FOR datetime_occured AS datetime_occured - INTERVAL '{lateness}' SECOND
) WITH ({kafka}, 'topic' = '{topic}', 'properties.group.id' = '{group}-checkouts')
"""

# commerce.users.id is a PostgreSQL integer: the JDBC connector reads it as INT.
USERS_DDL = """
CREATE TABLE users (
  id INT,
  username STRING,
  PRIMARY KEY (id) NOT ENFORCED
) WITH ({jdbc}, 'table-name' = 'commerce.users',
  'lookup.cache' = 'PARTIAL',
  'lookup.partial-cache.max-rows' = '100000',
  'lookup.partial-cache.expire-after-write' = '1s')
"""

SINK_DDL = """
CREATE TABLE attributed_checkouts (
  checkout_id STRING,
  user_name STRING,
  click_id STRING,
  product_id STRING,
  payment_method STRING,
  total_amount DECIMAL(38, 2),
  shipping_address STRING,
  billing_address STRING,
  user_agent STRING,
  ip_address STRING,
  checkout_time TIMESTAMP(3),
  click_time TIMESTAMP(3),
  PRIMARY KEY (checkout_id) NOT ENFORCED
) WITH ({jdbc}, 'table-name' = '{table}',
  'sink.buffer-flush.max-rows' = '5000',
  'sink.buffer-flush.interval' = '1s')
"""

# The lookup key is cast to the users table's INT; the generated ids fit. The two times are cast
# to plain TIMESTAMP at the end: a sink takes at most one event-time attribute.
EXACT = """
INSERT INTO attributed_checkouts
SELECT checkout_id, user_name, click_id, product_id, payment_method, total_amount,
       shipping_address, billing_address, user_agent, ip_address,
       CAST(checkout_time AS TIMESTAMP(3)), CAST(click_time AS TIMESTAMP(3))
FROM (
  SELECT j.*,
         ROW_NUMBER() OVER (PARTITION BY j.checkout_id
                            ORDER BY j.click_time ASC, j.click_id ASC) AS rn
  FROM (
    SELECT co.checkout_id, COALESCE(u.username, '') AS user_name, cl.click_id, co.product_id,
           co.payment_method, co.total_amount, co.shipping_address, co.billing_address,
           co.user_agent, co.ip_address, co.datetime_occured AS checkout_time,
           cl.datetime_occured AS click_time
    FROM checkouts AS co
    LEFT JOIN users FOR SYSTEM_TIME AS OF co.processing_time AS u
      ON CAST(co.user_id AS INT) = u.id
    LEFT JOIN clicks AS cl
      ON co.user_id = cl.user_id AND co.product_id = cl.product_id
     AND cl.datetime_occured BETWEEN co.datetime_occured - INTERVAL '1' HOUR
                                 AND co.datetime_occured
  ) AS j
)
WHERE rn = 1
"""

ORIGINAL = """
INSERT INTO attributed_checkouts
SELECT checkout_id, user_name, click_id, product_id, payment_method, total_amount,
       shipping_address, billing_address, user_agent, ip_address,
       CAST(checkout_time AS TIMESTAMP(3)), CAST(click_time AS TIMESTAMP(3))
FROM (
  SELECT co.checkout_id, u.username AS user_name, cl.click_id, co.product_id,
         co.payment_method, co.total_amount, co.shipping_address, co.billing_address,
         co.user_agent, co.ip_address, co.datetime_occured AS checkout_time,
         cl.datetime_occured AS click_time,
         ROW_NUMBER() OVER (PARTITION BY cl.user_id, cl.product_id
                            ORDER BY cl.datetime_occured) AS rn
  FROM checkouts AS co
  JOIN users FOR SYSTEM_TIME AS OF co.processing_time AS u ON CAST(co.user_id AS INT) = u.id
  LEFT JOIN clicks AS cl
    ON co.user_id = cl.user_id AND co.product_id = cl.product_id
   AND co.datetime_occured BETWEEN cl.datetime_occured
                               AND cl.datetime_occured + INTERVAL '1' HOUR
)
WHERE rn = 1
"""


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--formulation", choices=["exact", "original"], required=True)
    p.add_argument("--brokers", required=True)
    p.add_argument("--clicks-topic", required=True)
    p.add_argument("--checkouts-topic", required=True)
    p.add_argument("--jdbc-url", required=True)  # jdbc:postgresql://host:port/db
    p.add_argument("--db-user", required=True)
    p.add_argument("--db-password", required=True)
    p.add_argument("--sink-table", required=True)
    p.add_argument("--jars", required=True)  # folder of connector jars
    p.add_argument("--group", required=True)
    p.add_argument("--parallelism", type=int, default=2)
    p.add_argument("--lateness-seconds", type=int, default=15)
    p.add_argument("--explain", action="store_true")
    a = p.parse_args()

    started = time.time()
    conf = Configuration()
    conf.set_string("parallelism.default", str(a.parallelism))
    conf.set_string("pipeline.name", f"peer-flink-{a.formulation}")
    env = TableEnvironment.create(
        EnvironmentSettings.new_instance().in_streaming_mode().with_configuration(conf).build()
    )

    # ADD JAR: the planner's class loader then finds the connectors' factories.
    for jar in sorted(glob.glob(os.path.join(a.jars, "*.jar"))):
        env.execute_sql(f"ADD JAR '{jar}'")
    kafka = (
        "'connector' = 'kafka', 'properties.bootstrap.servers' = '{b}', "
        "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', "
        "'format' = 'json', 'json.timestamp-format.standard' = 'SQL', "
        "'json.fail-on-missing-field' = 'false', 'json.ignore-parse-errors' = 'true'"
    ).format(b=a.brokers)
    jdbc = (
        f"'connector' = 'jdbc', 'url' = '{a.jdbc_url}', "
        f"'username' = '{a.db_user}', 'password' = '{a.db_password}'"
    )
    late = a.lateness_seconds
    env.execute_sql(
        CLICKS_DDL.format(lateness=late, kafka=kafka, topic=a.clicks_topic, group=a.group)
    )
    env.execute_sql(
        CHECKOUTS_DDL.format(lateness=late, kafka=kafka, topic=a.checkouts_topic, group=a.group)
    )
    env.execute_sql(USERS_DDL.format(jdbc=jdbc))
    env.execute_sql(SINK_DDL.format(jdbc=jdbc, table=a.sink_table))
    statement = EXACT if a.formulation == "exact" else ORIGINAL
    if a.explain:
        print(env.explain_sql(statement))
        return
    job = env.execute_sql(statement)
    print(f"[peer:flink-{a.formulation}] submitted after {time.time() - started:.2f} s", flush=True)
    job.wait()
    print(f"[peer:flink-{a.formulation}] job finished in {time.time() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
