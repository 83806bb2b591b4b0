// Reading input whose end we do not control (a pipe, standard input, a file that is still growing) without
// ever holding more than the caller may keep: at most `limit + 1` bytes are taken, and the source is let go
// as soon as that one byte too many arrives, so `yes | playbuddy enqueue -` is refused after 20 MB instead of
// filling memory.

/** Enough of the start of the input to tell its format by (a PDF header may sit after some junk). */
const HEAD_BYTES = 1024;

export type LimitedRead = { ok: true; bytes: Buffer } | { ok: false; limit: number };

/**
 * Reads `source` until it ends or passes the limit. `limitFor` is asked once, with the first bytes (up to
 * 1 KB, fewer if the input is shorter), so the limit may depend on the format they show.
 */
export async function readAtMost(source: AsyncIterable<Uint8Array>, limitFor: (head: Buffer) => number): Promise<LimitedRead> {
  const chunks: Buffer[] = [];
  let total = 0;
  let limit: number | undefined;
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      chunks.push(chunk);
      total += chunk.byteLength;
      if (limit === undefined && total >= HEAD_BYTES) limit = limitFor(Buffer.concat(chunks));
      if (limit !== undefined && total > limit) return { ok: false, limit };
    }
  } finally {
    // Stops the stream (and closes a file) whether we finished, gave up or failed.
    await iterator.return?.();
  }
  const bytes = Buffer.concat(chunks);
  limit ??= limitFor(bytes);
  return total > limit ? { ok: false, limit } : { ok: true, bytes };
}
