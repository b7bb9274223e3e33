/**
 * The model's activation passes (wasm kernels over the output in place) and its pooling layers
 * (the avgPool/maxPool kernels; global pooling as one window over the whole image), against
 * tfjs-layers 4.22.0 on tfjs-backend-cpu, on shapes whose sizes are not multiples of the
 * vector width and with inputs large enough to reach the functions' saturated ranges.
 */
import { describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";
import { input, predictTf, relError, save, seedWeights, tfl } from "./helpers.js";

type L = typeof tfl.layers & typeof sc.layers;
type Builder = (L: L) => unknown[];

const TOL = 2e-5;

/** Builds `build` in tfjs-layers with seeded weights, loads it into simdconv and compares outputs on `shape` (inputs × `gain`). */
async function agree(build: Builder, shape: number[], seed: number, gain = 1) {
  const m = tfl.sequential({ layers: build(tfl.layers as L) as tfl.layers.Layer[] });
  seedWeights(m, seed);
  const x = input(shape, seed + 1).map((v) => (v - 0.5) * gain);
  const want = predictTf(m, x, shape);
  const before = sc.memory();
  const model = await sc.loadLayersModel(await save(m));
  const xt = sc.tensor(x, shape);
  const y = model.predict(xt);
  expect(y.shape).toEqual(want.shape);
  expect(relError(y.dataSync(), want.data)).toBeLessThan(TOL);
  sc.dispose([xt, y]);
  model.dispose();
  expect(sc.memory()).toMatchObject({ numBytes: before.numBytes, numTensors: before.numTensors });
  m.dispose();
}

const cases: [string, Builder, number[], number][] = [];
// 13 channels over 7×9 pixels: 819 values, not a multiple of 4; gain 12 reaches exp's tails.
const img = { inputShape: [7, 9, 3] };
for (const activation of ["sigmoid", "tanh", "elu", "selu", "swish", "softmax", "relu", "relu6"]) {
  cases.push([`conv2d ${activation}, 13 channels`, (L) => [L.conv2d({ ...img, filters: 13, kernelSize: 3, padding: "same", activation })], [2, 7, 9, 3], 12]);
  cases.push([`activation layer ${activation} after a conv`, (L) => [
    L.conv2d({ ...img, filters: 5, kernelSize: 2 }), L.activation({ activation }),
  ], [3, 7, 9, 3], 12]);
  cases.push([`dense ${activation}, 3 units`, (L) => [L.flatten({ ...img }), L.dense({ units: 3, activation })], [2, 7, 9, 3], 12]);
}
cases.push(["activation layer softmax on the input (1 channel: all ones)", (L) => [L.activation({ inputShape: [5, 3, 1], activation: "softmax" })], [2, 5, 3, 1], 4]);
cases.push(["leakyReLU alpha 0.05 after a linear conv", (L) => [L.conv2d({ ...img, filters: 11, kernelSize: 3 }), L.leakyReLU({ alpha: 0.05 })], [2, 7, 9, 3], 6]);
cases.push(["leakyReLU default alpha (0.3) on the input", (L) => [L.leakyReLU({ inputShape: [7, 9, 3] })], [1, 7, 9, 3], 6]);
cases.push(["reLU maxValue 1.5 after a conv", (L) => [L.conv2d({ ...img, filters: 6, kernelSize: 1 }), L.reLU({ maxValue: 1.5 })], [2, 7, 9, 3], 6]);
cases.push(["two passes: a tanh conv, then sigmoid", (L) => [
  L.conv2d({ ...img, filters: 7, kernelSize: 3, activation: "tanh" }), L.activation({ activation: "sigmoid" }),
], [2, 7, 9, 3], 6]);
// Pooling: odd sizes, windows that overhang the edge (same), batch > 1, 37 channels.
const deep = { inputShape: [13, 10, 37] };
for (const padding of ["valid", "same"] as const) {
  for (const [poolSize, strides] of [[2, 2], [3, 2], [3, 1], [[2, 5], [3, 2]], [4, 4]] as [number | [number, number], number | [number, number]][]) {
    cases.push([`averagePooling2d ${padding} ${poolSize}/${strides}`, (L) => [L.averagePooling2d({ ...deep, poolSize, strides, padding })], [2, 13, 10, 37], 4]);
    cases.push([`maxPooling2d ${padding} ${poolSize}/${strides}`, (L) => [L.maxPooling2d({ ...deep, poolSize, strides, padding })], [2, 13, 10, 37], 4]);
  }
}
cases.push(["globalAveragePooling2d 13×10×37, batch 3", (L) => [L.globalAveragePooling2d({ ...deep })], [3, 13, 10, 37], 4]);
cases.push(["globalMaxPooling2d 13×10×37, batch 3", (L) => [L.globalMaxPooling2d({ ...deep })], [3, 13, 10, 37], 4]);
cases.push(["globalAveragePooling2d over 1×1", (L) => [L.globalAveragePooling2d({ inputShape: [1, 1, 5] })], [2, 1, 1, 5], 4]);
cases.push(["globalMaxPooling2d over 1×1", (L) => [L.globalMaxPooling2d({ inputShape: [1, 1, 5] })], [2, 1, 1, 5], 4]);
cases.push(["conv, globalMaxPooling2d, dense softmax", (L) => [
  L.conv2d({ ...img, filters: 9, kernelSize: 3, activation: "elu" }), L.globalMaxPooling2d({}), L.dense({ units: 4, activation: "softmax" }),
], [2, 7, 9, 3], 4]);

describe("model activations and pooling on the kernels, against tfjs-layers", () => {
  it.each(cases)("%s", async (_name, build, shape, gain) => {
    await agree(build, shape, 21, gain);
  });

  it.each(["globalAveragePooling2d", "globalMaxPooling2d"] as const)("%s with keepDims (a Keras field) keeps [n, 1, 1, c]", async (cls) => {
    // tfjs-layers has no keepDims: its [n, c] result is compared with ours reshaped.
    const m = tfl.sequential({ layers: [tfl.layers[cls]({ inputShape: [6, 5, 7] })] });
    const x = input([2, 6, 5, 7], 3);
    const want = predictTf(m, x, [2, 6, 5, 7]);
    const model = sc.sequential({ layers: [sc.layers[cls]({ inputShape: [6, 5, 7], keepDims: true })] });
    const xt = sc.tensor(x, [2, 6, 5, 7]);
    const y = model.predict(xt);
    expect(y.shape).toEqual([2, 1, 1, 7]);
    expect(relError(y.dataSync(), want.data)).toBeLessThan(TOL);
    sc.dispose([xt, y]);
    model.dispose();
    m.dispose();
  });
});
