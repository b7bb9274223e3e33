/**
 * The control block that the calling thread and the workers share: one Int32Array over a
 * SharedArrayBuffer, touched only with Atomics. It is separate from the wasm memory, so
 * the heap never has to reserve room for it and growth never moves it.
 *
 * A job is a kernel call over output rows [0, rows), cut into chunks of `chunkRows` rows.
 * Every thread, the caller included, claims chunks one at a time with a compare-exchange
 * on NEXT until none are left, so each row is computed by exactly one call, in the same
 * order as on one thread: the output is bit-identical for any thread count. A worker that
 * is slow to wake, or dead, simply claims nothing.
 */

/**
 * Bumped by the caller to publish a job; idle workers poll it. It has a cache line to itself,
 * so writing a job's arguments does not disturb the pollers.
 */
export const GEN = 0;
/** The next unclaimed chunk, tagged with its job: (tag << CHUNK_BITS) | chunk. */
export const NEXT = 16;
/** Chunks finished. */
export const DONE = 17;
/** 1 + the chunk whose kernel threw on a worker (0: none), so the caller can re-run it. */
export const FAILED_CHUNK = 18;
export const KERNEL = 19;
export const ARGC = 20;
export const ROWS = 21;
export const CHUNK_ROWS = 22;
export const CHUNKS = 23;
/** Chunks the workers (not the caller) have run, ever: lets tests see that workers took part. */
export const WORKER_CHUNKS = 24;
/** Kernel arguments as float64 bit patterns, two words each (Atomics has no Float64Array). */
export const ARGS = 32;
export const MAX_ARGS = 48;
/** One state word per worker, a cache line apart so polling one does not slow another. */
const SLOTS = ARGS + 2 * MAX_ARGS;
const SLOT_STRIDE = 16;
export const MAX_WORKERS = 255;
export const CONTROL_WORDS = SLOTS + SLOT_STRIDE * MAX_WORKERS;

export const CHUNK_BITS = 12;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;
/** Chunk indices stay below CHUNK_MASK so NEXT's increment never carries into the tag. */
export const MAX_CHUNKS = CHUNK_MASK;
/** 19 bits of the job's generation: a worker would have to stall for 2^19 jobs between
 * reading GEN and claiming to mistake a new job for its old one. */
const TAG_MASK = (1 << (31 - CHUNK_BITS)) - 1;
/** NEXT between jobs: its tag matches no job, so a late worker claims nothing. */
export const CLOSED = -1;

/** Worker states, in the worker's slot. */
export const STARTING = 0;
export const READY = 1;
export const STOP = 2;
export const STOPPED = 3;

export function slot(worker: number): number {
  return SLOTS + SLOT_STRIDE * worker;
}

export function tagOf(gen: number): number {
  return gen & TAG_MASK;
}

/** The first NEXT value of job `gen`. */
export function openJob(gen: number): number {
  return tagOf(gen) << CHUNK_BITS;
}

/** Claims the next chunk of job `gen`, or returns -1 when it has none left (or has ended). */
export function claim(ctl: Int32Array, gen: number, chunks: number): number {
  const tag = tagOf(gen);
  let v = Atomics.load(ctl, NEXT);
  for (;;) {
    if (v >>> CHUNK_BITS !== tag) return -1;
    const c = v & CHUNK_MASK;
    if (c >= chunks) return -1;
    const was = Atomics.compareExchange(ctl, NEXT, v, v + 1);
    if (was === v) return c;
    v = was;
  }
}

const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

export function writeArgs(ctl: Int32Array, args: readonly number[]): void {
  for (let i = 0; i < args.length; i++) {
    bits[0] = args[i];
    Atomics.store(ctl, ARGS + 2 * i, words[0]);
    Atomics.store(ctl, ARGS + 2 * i + 1, words[1]);
  }
}

export function readArgs(ctl: Int32Array, argc: number): number[] {
  const args = new Array<number>(argc);
  for (let i = 0; i < argc; i++) {
    words[0] = Atomics.load(ctl, ARGS + 2 * i);
    words[1] = Atomics.load(ctl, ARGS + 2 * i + 1);
    args[i] = bits[0];
  }
  return args;
}

/**
 * Runs chunks of job `gen` until none are left; returns how many ran here. A kernel that throws marks its chunk in
 * FAILED_CHUNK and still counts as done, so the caller never waits for it forever.
 */
export function runChunks(
  ctl: Int32Array, gen: number, kernel: (...a: number[]) => void, args: number[],
  rows: number, chunkRows: number, chunks: number,
): number {
  const n = args.length;
  args.push(0, 0);
  let c: number;
  let ran = 0;
  while ((c = claim(ctl, gen, chunks)) >= 0) {
    args[n] = c * chunkRows;
    args[n + 1] = Math.min(rows, args[n] + chunkRows);
    try {
      kernel(...args);
    } catch {
      Atomics.compareExchange(ctl, FAILED_CHUNK, 0, c + 1);
    }
    ran++;
    if (Atomics.add(ctl, DONE, 1) + 1 === chunks) Atomics.notify(ctl, DONE);
  }
  return ran;
}
