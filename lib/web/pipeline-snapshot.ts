// The shape of the `pipeline` snapshot the web server pushes every second (socket.io) and serves
// at GET /api/pipeline. Types only, so client components import it without server code. Every
// figure comes from the real pipeline (worker /metrics and /stats, and the sink table); null means
// "not reported", which the UI shows as a dash, never as a misleading zero.

export interface PartitionHealth {
  /** The worker (its /metrics URL) that holds the partition. */
  worker: string;
  partition: number;
  /** Event time (epoch ms) up to which the partition is complete; null before the first marker. */
  watermark: number | null;
  /** Wall clock minus watermark, seconds. */
  watermarkDelaySec: number | null;
  keys: number;
  clicks: number;
  stateBytes: number;
  pendingCheckouts: number;
  nextOffsets: Record<string, string>;
}

export interface WorkerHealth {
  url: string;
  up: boolean;
  error?: string;
  /** When the worker last processed a batch (epoch ms), from /stats. */
  lastProgressAt?: number;
  partitions: number;
}

export interface LagRow {
  topic: string;
  partition: number;
  lag: number;
}

export interface CountByLabel {
  label: string;
  count: number;
}

export interface PipelineFigures {
  eventsPerSec: number | null;
  checkoutsPerSec: number | null;
  /** Attributed / all checkouts in the sink window, 0..1. */
  attributionRate: number | null;
  attributedRevenue: number | null;
  consumerLag: number | null;
  /** The worst partition's watermark delay, seconds. */
  watermarkDelaySec: number | null;
  stateKeys: number | null;
  stateClicks: number | null;
  stateBytes: number | null;
  /** Since the workers started (Prometheus counters). */
  lateEvents: number | null;
  deadLetters: number | null;
  /** p95 of checkout produced → row written over the last few seconds. */
  endToEndP95Sec: number | null;
}

/** One point of the dashboard's time series. */
export interface SeriesPoint {
  t: number;
  eventsPerSec: number | null;
  checkoutsPerSec: number | null;
  consumerLag: number | null;
  watermarkDelaySec: number | null;
  attributionRate: number | null;
}

export interface FeedRow {
  checkoutId: string;
  userId: string;
  userName: string;
  productId: string;
  productName: string | null;
  totalAmount: number;
  checkoutTime: number;
  clickId: string | null;
  clickTime: number | null;
  isFinal: boolean;
  isLate: boolean;
}

export interface TopProduct {
  productId: string;
  name: string | null;
  revenue: number;
  checkouts: number;
}

export interface HistogramBin {
  label: string;
  /** Lower bound, seconds (inclusive). */
  fromSec: number;
  count: number;
}

/** What the sink says about its newest rows (bounded window, see sink-queries.ts). */
export interface SinkWindow {
  /** Start of the window the aggregates cover (epoch ms), null when the sink is empty. */
  fromTime: number | null;
  rows: number;
  attributed: number;
  final: number;
  late: number;
  attributedRevenue: number;
  /** True when the row cap, not the hour, bounds the window. */
  capped: boolean;
}

export interface PipelineSnapshot {
  at: number;
  workers: WorkerHealth[];
  partitions: PartitionHealth[];
  lag: LagRow[];
  eventsByTopic: CountByLabel[];
  deadLettersByReason: CountByLabel[];
  figures: PipelineFigures;
  point: SeriesPoint;
  feed: FeedRow[];
  /** True when the feed was left out because the reader is not signed in. */
  feedHidden?: boolean;
  topProducts: TopProduct[];
  histogram: HistogramBin[];
  sink: SinkWindow | null;
  /** Why the sink could not be read, if it could not. */
  sinkError?: string;
  /** Events were consumed recently or rows were written recently. */
  flowing: boolean;
  /** Newest row write (epoch ms) seen in the sink. */
  lastRowWrittenAt: number | null;
}
