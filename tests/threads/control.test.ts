/** The control block's protocol, on one thread: what every thread of a job relies on. */
import { describe, expect, it } from "vitest";
import {
  CLOSED, CONTROL_WORDS, DONE, FAILED_CHUNK, MAX_CHUNKS, NEXT, claim, openJob, readArgs, runChunks, writeArgs,
} from "../../src/threads/control.js";

const block = () => new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));

describe("control block", () => {
  it("hands out each chunk of a job exactly once, then none", () => {
    const ctl = block();
    Atomics.store(ctl, NEXT, openJob(5));
    const got = [];
    for (let c; (c = claim(ctl, 5, 7)) >= 0; ) got.push(c);
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(claim(ctl, 5, 7)).toBe(-1);
  });

  it("gives nothing to a worker that holds another job's generation, or after the job closed", () => {
    const ctl = block();
    Atomics.store(ctl, NEXT, openJob(8));
    expect(claim(ctl, 7, 4)).toBe(-1);
    expect(claim(ctl, 8 + 1000, 4)).toBe(-1); // a generation far away, not just the next one
    expect(claim(ctl, 8, 4)).toBe(0);
    Atomics.store(ctl, NEXT, CLOSED);
    expect(claim(ctl, 8, 4)).toBe(-1);
    // The largest job never carries into the tag.
    Atomics.store(ctl, NEXT, openJob(9));
    let n = 0;
    while (claim(ctl, 9, MAX_CHUNKS) >= 0) n++;
    expect(n).toBe(MAX_CHUNKS);
    expect(claim(ctl, 10, MAX_CHUNKS)).toBe(-1);
  });

  it("carries every kind of kernel argument exactly", () => {
    const ctl = block();
    const args = [0, 64, 2 ** 32 - 16, -7, 0.1, Math.fround(0.1), -Infinity, Infinity, -0, 6];
    writeArgs(ctl, args);
    const back = readArgs(ctl, args.length);
    args.forEach((a, i) => expect(Object.is(back[i], a), `argument ${i}`).toBe(true));
  });

  it("runs every row once, and marks a chunk whose kernel threw without stopping the others", () => {
    const ctl = block();
    Atomics.store(ctl, NEXT, openJob(1));
    const seen: number[] = [];
    const kernel = (base: number, r0: number, r1: number) => {
      if (r0 === 6) throw new Error("trap");
      for (let r = r0; r < r1; r++) seen.push(base + r);
    };
    const ran = runChunks(ctl, 1, kernel as (...a: number[]) => void, [100], 10, 3, 4);
    expect(ran).toBe(4);
    expect(seen).toEqual([100, 101, 102, 103, 104, 105, 109]);
    expect(Atomics.load(ctl, DONE)).toBe(4);
    expect(Atomics.load(ctl, FAILED_CHUNK)).toBe(3); // chunk 2 (rows 6..9), plus one
  });
});
