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
 *
 * A worker that dies holding a chunk: before its compare-exchange a worker writes the NEXT value
 * it is about to claim into its slot's CLAIM word, and after the kernel it marks the chunk done
 * in MARKS. A chunk that is not marked, whose claim no living worker's CLAIM word shows, was
 * claimed by a dead one, and the caller runs it again (see Pool.recover). A worker's owner learns
 * of its death through the runtime (a MessagePort that closes, a Web Lock that is released) on a
 * watchdog thread, which marks the slot DEAD, counts it in DEATHS and wakes the caller.
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
/** Workers found dead, ever: the watchdog bumps it, and a caller waiting for a job checks it. */
export const DEATHS = 25;
/** @internal Test hook: while 1, the next worker to claim a chunk runs half of it and exits. */
export const DIE_IN_CHUNK = 26;
/** Kernel arguments as float64 bit patterns, two words each (Atomics has no Float64Array). */
export const ARGS = 32;
export const MAX_ARGS = 48;
/**
 * One slot per worker, a cache line apart so polling one does not slow another: its state
 * word (slot), the NEXT value it is claiming (slot + CLAIM), and its incarnation once it has
 * instantiated the kernels (slot + UP).
 */
const SLOTS = ARGS + 2 * MAX_ARGS;
const SLOT_STRIDE = 16;
export const CLAIM = 1;
export const UP = 2;
export const MAX_WORKERS = 255;

export const CHUNK_BITS = 12;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;
/** Chunk indices stay below CHUNK_MASK so NEXT's increment never carries into the tag. */
export const MAX_CHUNKS = CHUNK_MASK;
/** One word per chunk: the generation of the job that last finished it. */
export const MARKS = SLOTS + SLOT_STRIDE * MAX_WORKERS;
export const CONTROL_WORDS = MARKS + MAX_CHUNKS;
/** 19 bits of the job's generation: a worker would have to stall for 2^19 jobs between
 * reading GEN and claiming to mistake a new job for its old one. */
const TAG_MASK = (1 << (31 - CHUNK_BITS)) - 1;
/** NEXT between jobs: its tag matches no job, so a late worker claims nothing. */
export const CLOSED = -1;

/**
 * Worker states, in the low bits of the worker's state word; the high bits hold the slot's
 * incarnation, so a watchdog's late notice about an earlier worker never touches a newer one.
 */
export const STARTING = 0;
export const READY = 1;
export const STOP = 2;
export const STOPPED = 3;
/** Alive but not taking jobs (the count went down); it sleeps on its state word. */
export const PARKED = 4;
/** Found dead by the watchdog; the pool replaces it. */
export const DEAD = 5;
const STATE_BITS = 4;
export const MAX_INCARNATION = (1 << (31 - STATE_BITS)) - 1;

export function stateWord(incarnation: number, state: number): number {
  return (incarnation << STATE_BITS) | state;
}

export function stateOf(word: number): number {
  return word & ((1 << STATE_BITS) - 1);
}

export function incarnationOf(word: number): number {
  return word >>> STATE_BITS;
}

/**
 * The watchdog's verdict on a worker whose thread ended: DEAD unless it was stopping or never
 * instantiated (those are reported by the pool's own exit events), and only if the slot still
 * holds that incarnation. Wakes a caller that waits for a job.
 */
export function markDead(ctl: Int32Array, index: number, incarnation: number): boolean {
  const st = slot(index);
  for (;;) {
    const w = Atomics.load(ctl, st);
    const s = stateOf(w);
    if (incarnationOf(w) !== incarnation || s === STOP || s === STOPPED || s === DEAD) return false;
    if (s === STARTING && Atomics.load(ctl, st + UP) !== incarnation) return false;
    if (Atomics.compareExchange(ctl, st, w, stateWord(incarnation, DEAD)) === w) break;
  }
  Atomics.add(ctl, DEATHS, 1);
  Atomics.notify(ctl, DONE);
  return true;
}

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

/**
 * Claims the next chunk of job `gen`, or returns -1 when it has none left (or has ended).
 * A worker passes its CLAIM word, `intent`: it shows the claim before it is made, and CLOSED
 * once the worker has nothing more to claim.
 */
export function claim(ctl: Int32Array, gen: number, chunks: number, intent = -1): number {
  const tag = tagOf(gen);
  let v = Atomics.load(ctl, NEXT);
  for (;;) {
    if (v >>> CHUNK_BITS !== tag || (v & CHUNK_MASK) >= chunks) {
      if (intent >= 0) Atomics.store(ctl, intent, CLOSED);
      return -1;
    }
    const c = v & CHUNK_MASK;
    if (intent >= 0) Atomics.store(ctl, intent, v);
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

/** The slot word a worker publishes its claims in. */
export function claimWord(worker: number): number {
  return slot(worker) + CLAIM;
}

/** Runs rows [r0, r1) of chunk `c`; a kernel that throws marks its chunk in FAILED_CHUNK. */
export function runChunk(
  ctl: Int32Array, gen: number, kernel: (...a: number[]) => void, args: number[], c: number, r0: number, r1: number,
): void {
  try {
    kernel(...args, r0, r1);
  } catch {
    Atomics.compareExchange(ctl, FAILED_CHUNK, 0, c + 1);
  }
  Atomics.store(ctl, MARKS + c, gen);
}

/**
 * Runs chunks of job `gen` until none are left; returns how many ran here. A kernel that throws
 * still counts as done, so the caller never waits for it forever. `intent` is a worker's CLAIM
 * word (-1 on the caller); `exit`, on a worker, is the test hook's way to die mid-chunk.
 */
export function runChunks(
  ctl: Int32Array, gen: number, kernel: (...a: number[]) => void, args: number[],
  rows: number, chunkRows: number, chunks: number, intent = -1, exit?: () => void,
): number {
  let c: number;
  let ran = 0;
  while ((c = claim(ctl, gen, chunks, intent)) >= 0) {
    const r0 = c * chunkRows;
    const r1 = Math.min(rows, r0 + chunkRows);
    if (exit && Atomics.load(ctl, DIE_IN_CHUNK) && Atomics.compareExchange(ctl, DIE_IN_CHUNK, 1, 0) === 1) {
      kernel(...args, r0, r0 + ((r1 - r0) >> 1)); // half of its rows written, then gone
      exit();
    }
    runChunk(ctl, gen, kernel, args, c, r0, r1);
    ran++;
    if (Atomics.add(ctl, DONE, 1) + 1 === chunks) Atomics.notify(ctl, DONE);
  }
  return ran;
}
