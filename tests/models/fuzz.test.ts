/**
 * Seeded mutations of a valid model.json and of its shard. Each load ends in a clear error
 * (a TypeError, RangeError or Error from simdconv, not a JavaScript slip such as reading a
 * property of undefined, nor a wasm trap) or in a model that predicts; either way nothing
 * stays allocated. MODEL_FUZZ_ITERATIONS sets the count (`npm run fuzz:models` runs 5000).
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";
import { rng } from "../helpers/reference.js";
import { save, seedWeights, tfl } from "./helpers.js";

const ITERATIONS = Number(process.env.MODEL_FUZZ_ITERATIONS ?? 300);
type Json = unknown;

let json: { modelTopology: Json; weightsManifest: Json };
let shard: Uint8Array;

beforeAll(async () => {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: "relu", padding: "same" }),
      tfl.layers.batchNormalization({}),
      tfl.layers.maxPooling2d({}),
      tfl.layers.zeroPadding2d({ padding: 1 }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 5, activation: "relu" }),
      tfl.layers.dense({ units: 2, activation: "softmax" }),
    ],
  });
  seedWeights(m, 31);
  const a = await save(m);
  json = { modelTopology: a.modelTopology, weightsManifest: [{ paths: ["w.bin"], weights: a.weightSpecs }] };
  shard = new Uint8Array(a.weightData);
  m.dispose();
});

const VALUES: Json[] = [null, -1, 0, 1, 2, 3, 2.5, 1e9, 2 ** 31, NaN, "", "same", "valid", "channels_first", "relu", "float16", [], {}, [1, 2], [null, 8, 8, 3], true, "x".repeat(50)];

/** Every [container, key] in a JSON value. */
function slots(v: Json, out: [Record<string | number, Json>, string | number][] = []) {
  if (Array.isArray(v)) v.forEach((e, i) => { out.push([v as never, i]); slots(e, out); });
  else if (v && typeof v === "object") for (const [k, e] of Object.entries(v)) { out.push([v as never, k]); slots(e, out); }
  return out;
}

function mutate(seed: number): { text: string; bin: Uint8Array } {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const j = JSON.parse(JSON.stringify(json));
  let bin = shard;
  const rounds = 1 + int(3);
  for (let k = 0; k < rounds; k++) {
    const kind = int(10);
    if (kind < 6) {
      const all = slots(j);
      const [obj, key] = all[int(all.length)];
      if (kind < 3) obj[key] = VALUES[int(VALUES.length)];
      else if (kind === 3 && Array.isArray(obj)) obj.splice(key as number, 1);
      else if (kind === 3) delete obj[key];
      else if (kind === 4 && typeof obj[key] === "number") obj[key] = (obj[key] as number) + int(5) - 2;
      else if (Array.isArray(obj)) obj.splice(key as number, 0, JSON.parse(JSON.stringify(obj[key] ?? null)));
      else obj[key] = JSON.parse(JSON.stringify(all[int(all.length)][0]));
    } else if (kind === 6) bin = bin.slice(0, int(bin.length + 1));
    else if (kind === 7) {
      bin = bin.slice();
      for (let f = 0; f < 1 + int(8); f++) bin[int(bin.length)] = int(256);
    } else if (kind === 8) {
      const more = new Uint8Array(bin.length + 1 + int(64));
      more.set(bin);
      bin = more;
    }
  }
  let text = JSON.stringify(j);
  if (rounds === 1 && int(4) === 0) {
    // Text damage: cut it short or change one character.
    const at = int(text.length);
    text = int(2) ? text.slice(0, at) : text.slice(0, at) + String.fromCharCode(32 + int(90)) + text.slice(at + 1);
  }
  return { text, bin };
}

/** Messages of JavaScript's own errors: a sign that some input went unchecked. */
const SLIP = /Cannot read prop|is not a function|is not iterable|Cannot convert|undefined \(reading|of undefined|of null|Maximum call stack|Invalid typed array length|Invalid array length|out of bounds|unreachable/;

describe("model loading under fuzzing", () => {
  it(`${ITERATIONS} seeded mutations end in a clear error or a working model, never a slip or a leak`, async () => {
    const before = sc.memory();
    const outcomes = { error: 0, model: 0, predictError: 0 };
    for (let i = 0; i < ITERATIONS; i++) {
      const { text, bin } = mutate(1000 + i);
      const files = [new File([text], "model.json"), new File([bin as Uint8Array<ArrayBuffer>], "w.bin")];
      let model: sc.LayersModel | undefined;
      try {
        model = await sc.loadLayersModel(files);
      } catch (e) {
        expect(e, `mutation ${i}`).toBeInstanceOf(Error);
        expect((e as Error).message, `mutation ${i}`).not.toMatch(SLIP);
        expect((e as Error).message.length).toBeGreaterThan(10);
        outcomes.error++;
        if (process.env.FUZZ_PRINT) console.log("ERR", (e as Error).constructor.name, (e as Error).message.slice(0, 150));
      }
      if (model) {
        outcomes.model++;
        const shape = model.inputShape.map((d, k) => (k === 0 ? 2 : d ?? 8)) as number[];
        const n = shape.reduce((a, b) => a * b, 1);
        if (n <= 1 << 20) {
          const x = sc.tensor(new Float32Array(n).fill(0.5), shape);
          try {
            const y = model.predict(x);
            expect(y.shape).toEqual(model.outputShape.map((d, k) => (k === 0 ? 2 : d)));
            y.dispose();
          } catch (e) {
            expect((e as Error).message, `mutation ${i} predict`).not.toMatch(SLIP);
            outcomes.predictError++;
          }
          x.dispose();
        }
        model.dispose();
      }
      const now = sc.memory();
      expect({ mutation: i, numBytes: now.numBytes, numTensors: now.numTensors }).toEqual({ mutation: i, numBytes: before.numBytes, numTensors: before.numTensors });
    }
    // Both outcomes occur, so the mutations reach past the parser.
    expect(outcomes.error).toBeGreaterThan(ITERATIONS / 10);
    expect(outcomes.model).toBeGreaterThan(ITERATIONS / 20);
  });
});
