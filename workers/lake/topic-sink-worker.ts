// Worker-thread side of the threaded topic sink: loads its modules as soon as it starts (while
// the main thread plans the run), takes the run's sink configuration, then receives record
// batches of the partitions assigned to it, parses and writes them exactly as the inline sink
// does, and returns its files.
import { parentPort, workerData } from 'node:worker_threads';
import { openObjectStore } from '../../lib/delta/open-store.ts';
import { unpackRecords, type PackedRecords } from './record-transfer.ts';
import { createInlineTopicSink, type TopicSink, type TopicSinkConfig } from './topic-sink.ts';

export interface WorkerInit {
  lakeUri: string;
  baseDir: string;
}

export type ToWorker =
  | { type: 'configure'; config: TopicSinkConfig }
  | ({ type: 'batch'; id: number; topic: string; partition: number } & PackedRecords)
  | { type: 'finish' }
  | { type: 'abort' };

const port = parentPort;
if (!port) throw new Error('topic-sink-worker must run in a worker thread');
const init = workerData as WorkerInit;
const store = openObjectStore(init.lakeUri, init.baseDir);
let sink: TopicSink | undefined;

const fail = (error: unknown) => {
  const e = error as Error & { code?: string };
  port.postMessage({
    type: 'error',
    error: { name: e.name, message: e.message ?? String(error), stack: e.stack, code: e.code },
  });
};

const configured = (): TopicSink => {
  if (!sink) throw new Error('lake worker thread got records before its configuration');
  return sink;
};

port.postMessage({ type: 'ready' });

// One message at a time, in order: the main thread waits for acks before sending more.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    try {
      if (message.type === 'configure') {
        sink = createInlineTopicSink(store, message.config);
      } else if (message.type === 'batch') {
        const s = configured();
        await s.handle(message.topic, message.partition, unpackRecords(message));
        port.postMessage({ type: 'ack', id: message.id, progress: s.progress() });
      } else if (message.type === 'finish') {
        const s = configured();
        const files = await s.finish();
        port.postMessage({ type: 'finished', files, progress: s.progress() });
      } else {
        await sink?.abort(new Error('aborted'));
        port.postMessage({ type: 'aborted' });
      }
    } catch (error) {
      fail(error);
    }
  });
});
