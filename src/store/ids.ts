import { randomFillSync } from 'node:crypto';

// Ids for stored plays' rows, made here rather than by the database so a play's rows can be written without
// waiting for the ids of their parents. They are UUIDs of version 7 (RFC 9562): a millisecond timestamp
// first, so the rows of one play sort together and every primary-key and link index grows at its right
// edge instead of touching a random page per line — which is what keeps storing fast once the tables hold
// thousands of plays. They read as any other UUID to the app, which only compares them. Ids people type
// by prefix (a play's) must stay random: these share their first characters for a minute at a time.

const RANDOM_POOL = 4096;
const pool = Buffer.alloc(RANDOM_POOL);
let poolOffset = RANDOM_POOL;
let lastMs = 0;
let counter = 0;

function randomBytes(n: number): Buffer {
  if (poolOffset + n > RANDOM_POOL) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += n;
  return pool.subarray(poolOffset - n, poolOffset);
}

/** A new UUIDv7, greater than every one made before it in this process. */
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    // Same millisecond (or a clock stepping back): the 12-bit counter keeps the order; past it, borrow
    // from the next millisecond.
    counter += 1;
    if (counter > 0xfff) {
      lastMs += 1;
      counter = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    counter = randomBytes(1)[0]! & 0x7f;
  }
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  randomBytes(8).copy(b, 8);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
