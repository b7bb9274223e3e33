/**
 * Models against tfjs-layers 4.22.0 on tfjs-backend-cpu: each model is built with tfjs-layers
 * with seeded weights, saved as tfjs saves it, loaded by simdconv from the artifacts and from
 * files, and run on the same input. The same builder functions make simdconv's own
 * sequential models, whose layers take tfjs-layers' config fields.
 */
import { describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";
import { input, predictTf, quantize, relError, save, seedWeights, tf, tfl, writeFolder } from "./helpers.js";

// Each builder takes a layers namespace (tfjs-layers' or simdconv's) and returns the layer list.
type L = typeof tfl.layers & typeof sc.layers;
type Builder = (L: L) => unknown[];

const TOL = 2e-5;

/** Keras's VGG16 without its top: 13 convs in 5 blocks, each block ending in a 2×2 max pool. */
export const vgg16Base = (size: number): Builder => (L) => {
  const out: unknown[] = [];
  const blocks = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];
  blocks.forEach(([filters, convs], b) => {
    for (let c = 0; c < convs; c++) {
      out.push(L.conv2d({
        ...(out.length === 0 ? { inputShape: [size, size, 3] } : {}),
        filters, kernelSize: 3, padding: "same", activation: "relu", name: `block${b + 1}_conv${c + 1}`,
      }));
    }
    out.push(L.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }));
  });
  return out;
};

/** The course's small classifier: Conv2D/MaxPool2D blocks, Flatten, Dense relu, Dense sigmoid. */
export const classifier = (size: number): Builder => (L) => [
  L.conv2d({ inputShape: [size, size, 3], filters: 32, kernelSize: 3, activation: "relu", padding: "same" }),
  L.maxPooling2d({}),
  L.conv2d({ filters: 64, kernelSize: 3, activation: "relu", padding: "same" }),
  L.maxPooling2d({}),
  L.conv2d({ filters: 128, kernelSize: 3, activation: "relu", padding: "same" }),
  L.maxPooling2d({}),
  L.flatten({}),
  L.dense({ units: 6, activation: "relu" }),
  L.dense({ units: 1, activation: "sigmoid" }),
];

/** Conv + BatchNorm + ReLU blocks, global average pooling, a softmax head. */
const bnNet: Builder = (L) => [
  L.conv2d({ inputShape: [20, 20, 3], filters: 16, kernelSize: 3, padding: "same", useBias: false }),
  L.batchNormalization({}),
  L.activation({ activation: "relu" }),
  L.conv2d({ filters: 24, kernelSize: 3, strides: 2 }),
  L.batchNormalization({ epsilon: 0.01 }),
  L.reLU({}),
  L.conv2d({ filters: 32, kernelSize: 3, padding: "same" }),
  L.batchNormalization({ center: false }),
  L.reLU({ maxValue: 6 }),
  L.globalAveragePooling2d({}),
  L.dense({ units: 10, activation: "softmax" }),
];

async function tfModel(build: Builder, seed: number) {
  const m = tfl.sequential({ layers: build(tfl.layers as L) as tfl.layers.Layer[] });
  seedWeights(m, seed);
  return m;
}

/** Loads `m` into simdconv from its artifacts and from a folder, checks both against tfjs, disposes them. */
async function compare(m: tfl.LayersModel, inShape: number[], seed: number, tol = TOL) {
  const a = await save(m);
  const x = input(inShape, seed);
  const want = predictTf(m, x, inShape);
  const before = sc.memory();
  for (const source of [a, writeFolder(a)]) {
    const model = await sc.loadLayersModel(source);
    const xt = sc.tensor(x, inShape);
    const y = model.predict(xt);
    expect(y.shape).toEqual(want.shape);
    expect(relError(y.dataSync(), want.data)).toBeLessThan(tol);
    sc.dispose([xt, y]);
    model.dispose();
  }
  expect(sc.memory().numBytes).toBe(before.numBytes);
  expect(sc.memory().numTensors).toBe(before.numTensors);
  return { a, x, want };
}

describe("whole models against tfjs-layers", () => {
  // tfjs-backend-cpu takes about 27 s for this model's reference, so it runs in one project only.
  it.runIf(process.env.SIMDCONV_BUILD !== "simd")("the VGG16 conv base at 64×64 (13 convs, 5 pools), from artifacts and from a folder", async () => {
    const m = await tfModel(vgg16Base(64), 1);
    const { want } = await compare(m, [1, 64, 64, 3], 2);
    expect(want.shape).toEqual([1, 2, 2, 512]);
    m.dispose();
  });

  it("the course classifier (Conv/MaxPool blocks, Flatten, Dense relu, Dense sigmoid), batch 3", async () => {
    const m = await tfModel(classifier(32), 3);
    await compare(m, [3, 32, 32, 3], 4);
    m.dispose();
  });

  it("Conv+BatchNorm+ReLU blocks with global average pooling and a softmax head", async () => {
    const m = await tfModel(bnNet, 5);
    await compare(m, [2, 20, 20, 3], 6);
    m.dispose();
  });

  it("a functional model whose layers form one chain", async () => {
    const inp = tfl.input({ shape: [12, 12, 3] });
    let h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: "relu" }).apply(inp) as tfl.SymbolicTensor;
    h = tfl.layers.maxPooling2d({}).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
    const outp = tfl.layers.dense({ units: 4, activation: "softmax" }).apply(h) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: inp, outputs: outp });
    seedWeights(m, 7);
    await compare(m, [2, 12, 12, 3], 8);
    m.dispose();
  });

  it("simdconv's own sequential() with the same builder and the tfjs weights", async () => {
    const m = await tfModel(bnNet, 9);
    const x = input([1, 20, 20, 3], 10);
    const want = predictTf(m, x, [1, 20, 20, 3]);
    const before = sc.memory();
    const model = sc.sequential({ layers: bnNet(sc.layers as L) as sc.Layer[] });
    model.layers.forEach((l, i) => {
      const ws = m.layers[i].getWeights().map((w) => sc.tensor(w.dataSync() as Float32Array, w.shape));
      if (ws.length) l.setWeights(ws);
      sc.dispose(ws);
    });
    const xt = sc.tensor(x, [1, 20, 20, 3]);
    const y = model.predict(xt);
    expect(relError(y.dataSync(), want.data)).toBeLessThan(TOL);
    // One image without a batch dimension gives a result without one.
    const x3 = xt.reshape([20, 20, 3]);
    const single = model.predict(x3);
    expect(single.shape).toEqual([10]);
    expect(Array.from(single.dataSync())).toEqual(Array.from(y.dataSync()));
    sc.dispose([xt, x3, y, single]);
    model.dispose();
    expect(sc.memory().numBytes).toBe(before.numBytes);
    expect(sc.memory().numTensors).toBe(before.numTensors);
    m.dispose();
  });
});

// Every supported layer option and activation, one small model each.
const options: [string, Builder, number[]][] = [];
const opt = (name: string, b: Builder, shape = [2, 9, 11, 5]) => options.push([name, b, shape]);
/** A size, stride or rate: one number or [h, w]. */
type Pair = number | [number, number];
const inp = { inputShape: [9, 11, 5] };
for (const activation of ["linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "elu", "selu", "swish", "softplus", "softsign", "hardSigmoid"]) {
  opt(`conv2d activation ${activation}`, (L) => [L.conv2d({ ...inp, filters: 6, kernelSize: 3, activation })]);
  opt(`dense activation ${activation}`, (L) => [L.flatten({ ...inp }), L.dense({ units: 7, activation })]);
  opt(`activation layer ${activation}`, (L) => [L.conv2d({ ...inp, filters: 4, kernelSize: 1 }), L.activation({ activation })]);
}
for (const padding of ["valid", "same"] as const) {
  for (const [kernelSize, strides, dilationRate] of [[3, 1, 1], [[2, 3], [2, 1], 1], [1, 2, 1], [3, 1, 2], [[3, 1], 1, [1, 2]], [5, 3, 1]] as [Pair, Pair, Pair][]) {
    opt(`conv2d ${padding} kernelSize ${kernelSize} strides ${strides} dilationRate ${dilationRate}`, (L) => [
      L.conv2d({ ...inp, filters: 9, kernelSize, strides, dilationRate, padding }),
    ]);
  }
  for (const [poolSize, strides] of [[2, 2], [3, 2], [[2, 3], 1], [3, 3]] as [Pair, Pair][]) {
    opt(`maxPooling2d ${padding} poolSize ${poolSize} strides ${strides}`, (L) => [L.maxPooling2d({ ...inp, poolSize, strides, padding })]);
    opt(`averagePooling2d ${padding} poolSize ${poolSize} strides ${strides}`, (L) => [L.averagePooling2d({ ...inp, poolSize, strides, padding })]);
  }
}
opt("conv2d useBias false", (L) => [L.conv2d({ ...inp, filters: 3, kernelSize: 2, useBias: false })]);
opt("conv2d 1 channel to 1 channel", (L) => [L.conv2d({ inputShape: [9, 11, 1], filters: 1, kernelSize: 3 })], [2, 9, 11, 1]);
opt("dense useBias false", (L) => [L.flatten({ ...inp }), L.dense({ units: 3, useBias: false })]);
opt("dense over the channel axis of an image", (L) => [L.dense({ ...inp, units: 4, activation: "relu" })]);
opt("globalAveragePooling2d", (L) => [L.globalAveragePooling2d({ ...inp })]);
opt("globalMaxPooling2d", (L) => [L.globalMaxPooling2d({ ...inp })]);
opt("flatten", (L) => [L.conv2d({ ...inp, filters: 2, kernelSize: 2 }), L.flatten({})]);
opt("dropout", (L) => [L.conv2d({ ...inp, filters: 2, kernelSize: 2 }), L.dropout({ rate: 0.5 }), L.flatten({})]);
opt("reLU", (L) => [L.conv2d({ ...inp, filters: 4, kernelSize: 3 }), L.reLU({})]);
opt("reLU maxValue 0.5", (L) => [L.conv2d({ ...inp, filters: 4, kernelSize: 3 }), L.reLU({ maxValue: 0.5 })]);
opt("leakyReLU alpha 0.1", (L) => [L.conv2d({ ...inp, filters: 4, kernelSize: 3 }), L.leakyReLU({ alpha: 0.1 })]);
opt("leakyReLU after a relu conv", (L) => [L.conv2d({ ...inp, filters: 4, kernelSize: 3, activation: "tanh" }), L.leakyReLU({})]);
opt("zeroPadding2d number", (L) => [L.zeroPadding2d({ ...inp, padding: 2 }), L.conv2d({ filters: 3, kernelSize: 3 })]);
opt("zeroPadding2d [[1, 2], [0, 3]]", (L) => [L.zeroPadding2d({ ...inp, padding: [[1, 2], [0, 3]] })]);
opt("inputLayer", (L) => [L.inputLayer({ inputShape: [9, 11, 5] }), L.conv2d({ filters: 3, kernelSize: 3 })]);
opt("batchNormalization alone on the input", (L) => [L.batchNormalization({ ...inp })]);
opt("batchNormalization after a relu conv (not folded)", (L) => [L.conv2d({ ...inp, filters: 4, kernelSize: 3, activation: "relu" }), L.batchNormalization({ scale: false })]);
opt("batchNormalization after dense", (L) => [L.flatten({ ...inp }), L.dense({ units: 5 }), L.batchNormalization({})]);
opt("two activations in a row", (L) => [L.conv2d({ ...inp, filters: 4, kernelSize: 3 }), L.activation({ activation: "relu" }), L.activation({ activation: "sigmoid" })]);

describe("every layer option and activation against tfjs-layers", () => {
  it.each(options)("%s", async (_name, build, shape) => {
    const m = await tfModel(build, 11);
    await compare(m, shape, 12);
    m.dispose();
  });
});

describe("quantized weights, as the converter writes them", () => {
  it.each(["uint8", "uint16", "float16"] as const)("%s", async (dtype) => {
    const m = await tfModel(classifier(16), 13);
    const a = await save(m);
    const q = quantize(a, dtype);
    // tfjs-layers reads the same quantized files; both must agree on the dequantized model.
    const ref = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: q.specs, weightData: q.data.slice().buffer }));
    const x = input([2, 16, 16, 3], 14);
    const want = predictTf(ref, x, [2, 16, 16, 3]);
    const before = sc.memory();
    const model = await sc.loadLayersModel(writeFolder(a, "group1-shard1of1.bin", q.specs, q.data));
    const xt = sc.tensor(x, [2, 16, 16, 3]);
    const y = model.predict(xt);
    expect(relError(y.dataSync(), want.data)).toBeLessThan(TOL);
    // The dequantized kernel is what tfjs-layers decoded.
    const ws = model.layers[0].getWeights();
    expect(Array.from(ws[0].dataSync())).toEqual(Array.from(ref.layers[0].getWeights()[0].dataSync()));
    sc.dispose([xt, y, ws]);
    model.dispose();
    expect(sc.memory()).toMatchObject({ numBytes: before.numBytes, numTensors: before.numTensors });
    m.dispose();
    ref.dispose();
  });
});
