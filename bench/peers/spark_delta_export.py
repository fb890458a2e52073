"""The Spark peer of the lake export (bench/peers.bench.ts runs it under measure.py).

Spark Structured Streaming with trigger(availableNow=True): reads each source topic from the
earliest offset to the end that exists at start, parses the JSON into typed columns (the wire
format of docs/attribution.md), and appends to one Delta table per topic (delta-spark),
partitioned by event_date like ours, exactly once through its checkpoint. Prints one JSON line:
the rows read per topic (from the queries' progress) and the seconds until both queries ended.
"""

import argparse
import glob
import json
import os
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DecimalType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)

CLICK = StructType(
    [
        StructField("click_id", StringType()),
        StructField("user_id", LongType()),
        StructField("product_id", StringType()),
        StructField("product", StringType()),
        StructField("price", DoubleType()),
        StructField("url", StringType()),
        StructField("user_agent", StringType()),
        StructField("ip_address", StringType()),
        StructField("datetime_occured", StringType()),
    ]
)
CHECKOUT = StructType(
    [
        StructField("checkout_id", StringType()),
        StructField("user_id", LongType()),
        StructField("product_id", StringType()),
        StructField("payment_method", StringType()),
        StructField("total_amount", DecimalType(38, 2)),
        StructField("shipping_address", StringType()),
        StructField("billing_address", StringType()),
        StructField("user_agent", StringType()),
        StructField("ip_address", StringType()),
        StructField("datetime_occured", StringType()),
    ]
)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--brokers", required=True)
    p.add_argument("--clicks-topic", required=True)
    p.add_argument("--checkouts-topic", required=True)
    p.add_argument("--lake", required=True)
    p.add_argument("--jars", required=True)
    p.add_argument("--cores", type=int, default=2)
    a = p.parse_args()
    started = time.time()
    jars = ",".join(sorted(glob.glob(os.path.join(a.jars, "*.jar"))))
    spark = (
        SparkSession.builder.master(f"local[{a.cores}]")
        .appName("peer-spark-delta")
        .config("spark.jars", jars)
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.shuffle.partitions", str(a.cores))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    queries = {}
    for name, topic, schema in (
        ("clicks", a.clicks_topic, CLICK),
        ("checkouts", a.checkouts_topic, CHECKOUT),
    ):
        source = (
            spark.readStream.format("kafka")
            .option("kafka.bootstrap.servers", a.brokers)
            .option("subscribe", topic)
            .option("startingOffsets", "earliest")
            .option("failOnDataLoss", "false")
            .load()
        )
        rows = (
            source.select(
                F.from_json(F.col("value").cast("string"), schema).alias("e"),
                F.col("partition").alias("kafka_partition"),
                F.col("offset").alias("kafka_offset"),
            )
            .select("e.*", "kafka_partition", "kafka_offset")
            .withColumn(
                "datetime_occured", F.to_timestamp("datetime_occured", "yyyy-MM-dd HH:mm:ss.SSS")
            )
            .withColumn("event_date", F.to_date("datetime_occured"))
        )
        queries[name] = (
            rows.writeStream.format("delta")
            .outputMode("append")
            .option("checkpointLocation", os.path.join(a.lake, "_checkpoints", name))
            .partitionBy("event_date")
            .trigger(availableNow=True)
            .start(os.path.join(a.lake, name))
        )
    print(f"[peer:spark-delta] submitted after {time.time() - started:.2f} s", flush=True)
    for q in queries.values():
        q.awaitTermination()
    seconds = time.time() - started
    read = {
        name: sum(int(pr.get("numInputRows", 0)) for pr in q.recentProgress)
        for name, q in queries.items()
    }
    print(json.dumps({"seconds": seconds, "rowsRead": read}), flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
