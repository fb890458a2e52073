// Worker-thread side of the threaded topic sink: receives record batches of the partitions
// assigned to it, parses and writes them exactly as the inline sink does, and returns its files.
import { parentPort, workerData } from 'node:worker_threads';
import type { RangeRecord } from './kafka-range-reader.ts';
import { openObjectStore } from '../../lib/delta/open-store.ts';
import { createInlineTopicSink, type TopicSinkConfig } from './topic-sink.ts';

export interface WorkerInit extends TopicSinkConfig {
  lakeUri: string;
  baseDir: string;
}

export type ToWorker =
  | {
      type: 'batch';
      id: number;
      topic: string;
      partition: number;
      offsets: Float64Array;
      timestamps: Float64Array;
      ends: Uint32Array;
      /** 1 where the record is a tombstone (null value). */
      tombstones: Uint8Array;
      data: Uint8Array;
    }
  | { type: 'finish' }
  | { type: 'abort' };

const port = parentPort;
if (!port) throw new Error('topic-sink-worker must run in a worker thread');
const init = workerData as WorkerInit;
const sink = createInlineTopicSink(openObjectStore(init.lakeUri, init.baseDir), init);

const fail = (error: unknown) => {
  const e = error as Error & { code?: string };
  port.postMessage({
    type: 'error',
    error: { name: e.name, message: e.message ?? String(error), stack: e.stack, code: e.code },
  });
};

port.postMessage({ type: 'ready' });

// One message at a time, in order: the main thread waits for acks before sending more.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    try {
      if (message.type === 'batch') {
        const records: RangeRecord[] = new Array(message.offsets.length);
        let start = 0;
        for (let i = 0; i < records.length; i++) {
          const end = message.ends[i]!;
          records[i] = {
            offset: message.offsets[i]!,
            timestamp: message.timestamps[i]!,
            value: message.tombstones[i] ? null : message.data.subarray(start, end),
          };
          start = end;
        }
        await sink.handle(message.topic, message.partition, records);
        port.postMessage({ type: 'ack', id: message.id, progress: sink.progress() });
      } else if (message.type === 'finish') {
        const files = await sink.finish();
        port.postMessage({ type: 'finished', files, progress: sink.progress() });
      } else {
        await sink.abort(new Error('aborted'));
        port.postMessage({ type: 'aborted' });
      }
    } catch (error) {
      fail(error);
    }
  });
});
