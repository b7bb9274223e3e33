/**
 * The smoke suite every runtime runs (Node, Chromium, Deno, Bun, workerd, bundled apps): it
 * takes the library module as an argument, so each runtime imports simdconv its own way
 * (exports map, bundle, Worker module) and the checks stay the same. Plain throws instead of
 * a test framework, so it runs where vitest cannot. Resolves to the names of the checks passed.
 */
import { conv2dRef, maxPoolRef, randomData, rng, worstError, type Conv2DCase } from "../helpers/reference.ts";

type Lib = typeof import("simdconv");

/** Within this many units of float32 summation error of the float64 reference (see worstError). */
const TOLERANCE = 8;

export async function smoke(lib: Lib): Promise<string[]> {
  const passed: string[] = [];
  const check = (name: string, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      throw new Error(`smoke check "${name}" failed: ${(e as Error).message}`, { cause: e });
    }
    passed.push(name);
  };
  const rand = rng(20261128);
  const caps = await lib.init(); // a no-op where the runtime's entry already called init({ wasm })
  const baseline = lib.memory().numTensors;
  check("init reports a SIMD build", () => {
    assert(caps.simd === true && typeof caps.build === "string" && caps.build.length > 0, JSON.stringify(caps));
  });

  const cases: Conv2DCase[] = [
    { x: [1, 9, 8, 3], filter: [3, 3, 3, 8], strides: [1, 1], dilations: [1, 1], pad: "same" },
    { x: [2, 10, 7, 5], filter: [3, 2, 5, 17], strides: [2, 3], dilations: [1, 1], pad: "same" },
    { x: [1, 11, 9, 4], filter: [3, 3, 4, 6], strides: [1, 1], dilations: [2, 2], pad: "valid" },
    { x: [1, 6, 6, 2], filter: [2, 3, 2, 3], strides: [2, 1], dilations: [1, 1], pad: [1, 2, 0, 3] },
  ];
  for (const c of cases) {
    check(`conv2d ${JSON.stringify(c)}`, () => {
      const xData = randomData(c.x.reduce((a, b) => a * b), rand);
      const wData = randomData(c.filter.reduce((a, b) => a * b), rand);
      const want = conv2dRef(xData, c, undefined, "linear", wData);
      const pad = typeof c.pad === "string" ? c.pad : ([[0, 0], [c.pad[0], c.pad[1]], [c.pad[2], c.pad[3]], [0, 0]] as const);
      lib.tidy(() => {
        const y = lib.conv2d(lib.tensor(xData, c.x), lib.tensor(wData, c.filter), c.strides, pad as never, "NHWC", c.dilations);
        assertShape(y.shape, want.shape);
        assertClose(y.dataSync(), want);
      });
    });
  }

  check("fused.conv2d with bias and relu6", () => {
    const c: Conv2DCase = { x: [1, 8, 8, 4], filter: [3, 3, 4, 12], strides: [1, 1], dilations: [1, 1], pad: "same" };
    const xData = randomData(8 * 8 * 4, rand).map((v) => v * 8);
    const wData = randomData(3 * 3 * 4 * 12, rand);
    const bias = randomData(12, rand);
    const want = conv2dRef(xData, c, bias, "relu6", wData);
    lib.tidy(() => {
      const y = lib.fused.conv2d({
        x: lib.tensor(xData, c.x), filter: lib.tensor(wData, c.filter), bias: lib.tensor(bias, [12]),
        strides: 1, pad: "same", activation: "relu6",
      });
      assertShape(y.shape, want.shape);
      assertClose(y.dataSync(), want);
      const values = Array.from(y.dataSync());
      assert(values.some((v) => v === 6) && values.some((v) => v === 0), "the clamp bounds were never reached");
    });
  });

  check("relu and relu6", () => {
    const data = randomData(37, rand).map((v) => v * 10);
    lib.tidy(() => {
      const x = lib.tensor(data, [37]);
      const r = lib.relu(x).dataSync();
      const r6 = lib.relu6(x).dataSync();
      for (let i = 0; i < data.length; i++) {
        assert(r[i] === Math.max(data[i], 0), `relu at ${i}: ${r[i]} for ${data[i]}`);
        assert(r6[i] === Math.min(Math.max(data[i], 0), 6), `relu6 at ${i}: ${r6[i]} for ${data[i]}`);
      }
    });
  });

  check("maxPool", () => {
    const shape: [number, number, number, number] = [2, 7, 9, 5];
    const data = randomData(2 * 7 * 9 * 5, rand);
    for (const [k, s, pad] of [[[3, 3], [2, 2], "same"], [[2, 3], [1, 2], "valid"]] as const) {
      const want = maxPoolRef(data, shape, [k[0], k[1]], [s[0], s[1]], pad);
      lib.tidy(() => {
        const y = lib.maxPool(lib.tensor(data, shape), [k[0], k[1]], [s[0], s[1]], pad);
        assertShape(y.shape, want.shape);
        const got = y.dataSync();
        for (let i = 0; i < want.y.length; i++) assert(got[i] === want.y[i], `at ${i}: ${got[i]} vs ${want.y[i]}`);
      });
    }
  });

  check("bad input throws TypeError/RangeError naming the parameter", () => {
    lib.tidy(() => {
      const x = lib.tensor(new Float32Array(2 * 3 * 3 * 2), [2, 3, 3, 2]);
      const filter = lib.tensor(new Float32Array(3 * 3 * 2 * 1), [3, 3, 2, 1]);
      throwsNaming(() => lib.conv2d(x, lib.tensor(new Float32Array(27), [3, 3, 3, 1]), 1, "same"), RangeError, "filter");
      throwsNaming(() => lib.conv2d(x, filter, 0, "same"), RangeError, "Strides"); // tfjs's words
      throwsNaming(() => lib.conv2d(x, filter, 1, "same", "NHWC", [1, -2]), RangeError, "Dilated rates");
      throwsNaming(() => lib.conv2d(x, filter, 1.5, "same"), RangeError, "strides");
      throwsNaming(() => lib.maxPool(x, 2, 2, "bogus" as never), TypeError, "pad");
      throwsNaming(() => lib.relu("abc" as never), TypeError, "x");
      throwsNaming(
        () => lib.fused.conv2d({ x, filter, strides: 1, pad: "same", activation: "gelu" as never }),
        TypeError, "activation",
      );
    });
  });

  check("dispose frees tensors, tidy frees intermediates, a disposed tensor is refused", () => {
    const before = lib.memory();
    const kept = lib.tidy(() => lib.relu(lib.relu(lib.tensor([-1, 2, -3, 4], [4]))));
    assert(lib.memory().numTensors === before.numTensors + 1, `tidy kept ${lib.memory().numTensors - before.numTensors} tensors`);
    kept.dispose();
    const after = lib.memory();
    assert(after.numTensors === before.numTensors && after.numBytes === before.numBytes, JSON.stringify({ before, after }));
    throwsNaming(() => kept.dataSync(), Error, "disposed");
    throwsNaming(() => lib.relu(kept), TypeError, "x");
  });

  check("no tensor leaked by the suite", () => {
    assert(lib.memory().numTensors === baseline, `${lib.memory().numTensors - baseline} tensors left`);
  });
  return passed;
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

function assertShape(got: number[], want: number[]): void {
  assert(got.length === want.length && got.every((d, i) => d === want[i]), `shape [${got}], expected [${want}]`);
}

function assertClose(got: Float32Array, want: ReturnType<typeof conv2dRef>): void {
  const { err, at } = worstError(got, want);
  assert(err <= TOLERANCE, `error ${err} units at ${at}: ${got[at]} vs ${want.y[at]}`);
}

function throwsNaming(fn: () => unknown, type: new (...a: never[]) => Error, name: string): void {
  try {
    fn();
  } catch (e) {
    assert(e instanceof type, `expected a ${type.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert(e.message.includes(name), `the message does not name ${name}: ${e.message}`);
    return;
  }
  throw new Error(`expected a ${type.name} naming ${name}, nothing was thrown`);
}
