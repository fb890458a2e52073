// Packs the records one source batch sends to the internal partitions into frames
// (internal-wire.ts): one growing frame per partition, cut when the next record would take it
// past the frame size, so every message stays far below the topic's max.message.bytes.
// Messages come out in creation order, so each partition's records keep their order.
import { singleRecordBatchSize } from '../../lib/kafka/produce-chunks.ts';
import type { InternalMessage } from './internal-producer.ts';
import { FrameWriter, type SourceId } from './internal-wire.ts';

/**
 * Largest frame. Big enough that per-message costs vanish (hundreds of events a frame), small
 * enough that a frame never waits long behind the events of its batch.
 */
export const MAX_FRAME_BYTES = 256 * 1024;

export type FrameAdd = 'added' | 'too_large';

export class FrameBatcher {
  private readonly open = new Map<number, FrameWriter>();
  private readonly out: InternalMessage[] = [];
  private readonly frameBytes: number;

  /** @param maxMessageBytes the internal topic's max.message.bytes */
  constructor(
    private readonly source: SourceId,
    private readonly maxMessageBytes: number,
  ) {
    this.frameBytes = Math.min(MAX_FRAME_BYTES, Math.floor(maxMessageBytes * 0.9));
  }

  /**
   * Appends one record (written by `write`) to `partition`'s frame, cutting the frame first if
   * the record would take it past the frame size. A record too large for a frame of its own
   * under the topic's limit is taken back: 'too_large' (the caller dead-letters it).
   */
  add(partition: number, write: (frame: FrameWriter) => void): FrameAdd {
    const frame = this.frameOf(partition);
    const bytes = frame.bytes;
    const count = frame.count;
    write(frame);
    if (frame.bytes <= this.frameBytes) return 'added';
    if (count === 0) {
      // Alone and still over the frame size: it goes as a frame of its own if the topic takes it.
      if (singleRecordBatchSize({ value: null }) + frame.bytes <= this.maxMessageBytes) {
        this.cut(partition, frame);
        return 'added';
      }
      frame.rollback(bytes, 0);
      return 'too_large';
    }
    frame.rollback(bytes, count);
    this.cut(partition, frame);
    return this.add(partition, write);
  }

  /** Every frame, in order: the open ones are closed (each partition's last message). */
  finish(): InternalMessage[] {
    for (const [partition, frame] of this.open) this.cut(partition, frame);
    return this.out;
  }

  private frameOf(partition: number): FrameWriter {
    let frame = this.open.get(partition);
    if (!frame) {
      frame = new FrameWriter(this.source);
      this.open.set(partition, frame);
    }
    return frame;
  }

  private cut(partition: number, frame: FrameWriter): void {
    this.open.delete(partition);
    if (frame.count > 0) this.out.push({ partition, value: frame.finish() });
  }
}
