/**
 * Bad models: each ends in a clear error naming what is wrong, and leaves nothing allocated.
 * Also the inspection API (summary, layers, getLayer, getWeights, intermediate outputs).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sc from "../../src/index.js";
import { input, predictTf, save, seedWeights, tfl, writeFolder } from "./helpers.js";
import { tempDir } from "../helpers/temp.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let base: Awaited<ReturnType<typeof save>>;
let tfModel: tfl.LayersModel;

beforeAll(async () => {
  tfModel = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: "relu", name: "c1" }),
      tfl.layers.maxPooling2d({ name: "p1" }),
      tfl.layers.conv2d({ filters: 6, kernelSize: 1, name: "c2" }),
      tfl.layers.batchNormalization({ name: "bn" }),
      tfl.layers.activation({ activation: "relu", name: "act" }),
      tfl.layers.flatten({ name: "flat" }),
      tfl.layers.dense({ units: 3, activation: "softmax", name: "head" }),
    ],
  });
  seedWeights(tfModel, 21);
  base = await save(tfModel);
});

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
/** The artifacts with `edit` applied to a copy of the topology and specs. */
function edited(edit: (topology: Json, specs: Json[]) => void, data?: ArrayBuffer) {
  const topology = clone(base.modelTopology) as Json;
  const specs = clone(base.weightSpecs) as Json[];
  edit(topology, specs);
  return { modelTopology: topology, weightSpecs: specs as never, weightData: data ?? base.weightData };
}
const layerCfg = (t: Json, i: number) => t.config.layers[i].config;

function dirWith(files: Record<string, string | Uint8Array>): string {
  const dir = tempDir("bad-model");
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return join(dir, "model.json");
}
const manifest = (specs = base.weightSpecs, paths = ["w.bin"]) => [{ paths, weights: specs }];

const cases: [string, () => unknown, RegExp][] = [
  ["malformed JSON", () => dirWith({ "model.json": '{"modelTopology": {', "w.bin": new Uint8Array(0) }), /model\.json is not valid JSON/],
  ["JSON that is not an object", () => dirWith({ "model.json": "[1, 2]" }), /must hold a JSON object/],
  ["no modelTopology", () => dirWith({ "model.json": JSON.stringify({ weightsManifest: [] }) }), /no modelTopology object.*loadGraphModel/],
  ["a missing shard", () => dirWith({ "model.json": JSON.stringify({ modelTopology: base.modelTopology, weightsManifest: manifest() }) }), /cannot read .*w\.bin \(named by the weights manifest\)/],
  ["a short shard", () => dirWith({
    "model.json": JSON.stringify({ modelTopology: base.modelTopology, weightsManifest: manifest() }),
    "w.bin": new Uint8Array(base.weightData).subarray(0, 100),
  }), /hold 100 bytes, but their weights .* need \d+: a shard is missing or short/],
  ["a missing shard among three", () => dirWith({
    "model.json": JSON.stringify({ modelTopology: base.modelTopology, weightsManifest: manifest(base.weightSpecs, ["a.bin", "b.bin", "c.bin"]) }),
    "a.bin": new Uint8Array(base.weightData).subarray(0, 64),
    "c.bin": new Uint8Array(base.weightData).subarray(64),
  }), /cannot read .*b\.bin \(named by the weights manifest\)/],
  ["a shard larger than its weights need", () => dirWith({
    "model.json": JSON.stringify({ modelTopology: base.modelTopology, weightsManifest: manifest(base.weightSpecs, ["a.bin", "b.bin"]) }),
    "a.bin": new Uint8Array(base.weightData),
    "b.bin": new Uint8Array((1 << 20) + 1),
  }), /b\.bin has 1048577 bytes, more than the 1048576 expected/],
  ["a manifest that is not an array", () => dirWith({ "model.json": JSON.stringify({ modelTopology: base.modelTopology, weightsManifest: {} }) }), /weightsManifest must be an array/],
  ["short weight data in memory", () => ({ ...base, weightData: base.weightData.slice(0, 64) }), /need \d+ bytes but the weight data has 64: a shard is missing or short/],
  ["an unsupported layer class", () => edited((t) => { t.config.layers[1].class_name = "Conv3D"; }), /layer 1 'p1': class Conv3D is not supported; supported: Conv2D, MaxPooling2D/],
  ["channels_first", () => edited((t) => { layerCfg(t, 0).data_format = "channels_first"; }), /layer 0: Conv2D 'c1': dataFormat "channels_first" is not supported; supported: 'channelsLast'/],
  ["groups > 1", () => edited((t) => { layerCfg(t, 0).groups = 2; }), /Conv2D 'c1'.*groups 2 is not supported; supported: 1/],
  ["an unknown config field", () => edited((t) => { layerCfg(t, 0).depth_multiplier = 2; }), /Conv2D 'c1'.*config field 'depthMultiplier' is not supported; supported: filters, kernelSize/],
  ["an unsupported activation", () => edited((t) => { layerCfg(t, 6).activation = "gelu_fast"; }), /Dense 'head'.*activation "gelu_fast" is not supported; supported: linear, relu/],
  ["padding causal", () => edited((t) => { layerCfg(t, 0).padding = "causal"; }), /Conv2D 'c1'.*padding "causal" is not supported/],
  ["batch norm on another axis", () => edited((t) => { layerCfg(t, 3).axis = 1; }), /BatchNormalization 'bn'.*axis 1 is not supported/],
  ["a weight missing from the manifest", () => edited((_t, s) => { s.splice(s.findIndex((w) => w.name === "head/bias"), 1); }), /layer 'head' \(Dense\) needs weight 'head\/bias' of shape \[3\]/],
  ["a weight the topology does not use", () => edited((_t, s) => { s.push({ name: "extra/kernel", shape: [1], dtype: "float32" }); }, (() => {
    const d = new Uint8Array(base.weightData.byteLength + 4);
    d.set(new Uint8Array(base.weightData));
    return d.buffer;
  })()), /1 weights that no layer uses \(extra\/kernel\)/],
  ["a weight of the wrong shape", () => edited((t) => { layerCfg(t, 6).units = 4; }), /layer 'head' \(Dense\) needs weight|weight 'head\/kernel' has shape \[\d+,3\], the topology needs \[\d+,4\]/],
  ["a non-float dtype, not quantized", () => edited((_t, s) => { s[0].dtype = "int32"; }), /weight 'c1\/kernel': dtype "int32" is not supported unquantized; supported: float32, or quantized uint8, uint16, float16/],
  ["an unknown quantization", () => edited((_t, s) => { s[0].quantization = { dtype: "int4", scale: 1, min: 0 }; }), /quantization dtype "int4" is not supported; supported: uint8, uint16, float16/],
  ["uint8 quantization without a scale", () => edited((_t, s) => { s[0].quantization = { dtype: "uint8", min: 0 }; }), /uint8 quantization needs finite scale and min/],
  ["a negative dimension", () => edited((_t, s) => { s[0].shape = [3, -3, 3, 4]; }), /shape must be an array of at most 8 non-negative integers/],
  ["a huge weight", () => edited((_t, s) => { s[0].shape = [65536, 65536, 3, 4]; }), /more than a model can hold/],
  ["a topology class that is not a model", () => edited((t) => { t.class_name = "Graph"; }), /modelTopology class "Graph" is not supported; supported: Sequential, Model, Functional/],
  ["a first layer without an input shape", () => edited((t) => { delete layerCfg(t, 0).batch_input_shape; }), /first layer must set inputShape|declares no batch_input_shape/],
  ["a layer that does not fit its input", () => edited((t) => { layerCfg(t, 0).kernel_size = [9, 9]; }), /a window of 9 with padding 'valid' does not fit an input of 8/],
  ["a source of the wrong kind", () => 42, /source must be a URL, a file path, ModelArtifacts/],
  ["an IOHandler that returns nothing", () => ({ load: async () => undefined }), /load\(\) must return ModelArtifacts/],
  ["a file list without model.json", () => [new File([new Uint8Array(4)], "w.bin")], /the files hold no \.json file/],
  ["a file list without a shard", () => [new File([JSON.stringify({ modelTopology: base.modelTopology, weightsManifest: manifest() })], "model.json")], /names "w\.bin", which is not among the chosen files/],
];

/** A functional topology: input → a → b, plus branches as given. */
function functional(extra: (layers: Json[]) => void): Json {
  const conv = (name: string, from: string) => ({
    class_name: "Conv2D", name, inbound_nodes: [[[from, 0, 0, {}]]],
    config: { name, filters: 2, kernel_size: [1, 1], strides: [1, 1], padding: "valid", activation: "linear", use_bias: false },
  });
  const layers: Json[] = [
    { class_name: "InputLayer", name: "in", inbound_nodes: [], config: { name: "in", batch_input_shape: [null, 4, 4, 2] } },
    conv("a", "in"), conv("b", "a"),
  ];
  extra(layers);
  return {
    modelTopology: { class_name: "Model", config: { name: "f", layers, input_layers: [["in", 0, 0]], output_layers: [["b", 0, 0]] } },
    weightSpecs: [], weightData: new ArrayBuffer(0),
  };
}
cases.push(
  ["a branching graph (a layer off the chain)", () => functional((ls) => ls.push({ ...ls[1], name: "side", config: { ...ls[1].config, name: "side" } })), /layers side are not on the chain from 'in' to 'b'; only single-chain models are supported \(a branching graph\)/],
  ["a layer with two inputs", () => functional((ls) => { ls[2].inbound_nodes = [[["a", 0, 0, {}], ["in", 0, 0, {}]]]; }), /layer 'b' \(Conv2D\) takes 2 inputs \(a, in\)/],
  ["a shared layer", () => functional((ls) => { ls[1].inbound_nodes.push([["in", 0, 0, {}]]); }), /layer 'a' \(Conv2D\) is called 2 times/],
);

describe("bad models: a clear error, nothing left allocated", () => {
  it.each(cases)("%s", async (_name, make, message) => {
    const source = make();
    const before = sc.memory();
    const err = await sc.loadLayersModel(source as never).then(() => null, (e: Error) => e);
    expect(err, "the load must fail").toBeInstanceOf(Error);
    expect(err!.message).toMatch(message);
    expect(sc.memory()).toEqual(before);
  });

  it.runIf(existsSync("/proc/self/fd"))("a failed load leaves no shard file open", async () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const failing = cases.filter(([name]) => /among three|larger than/.test(name));
    expect(failing).toHaveLength(2);
    const before = fds();
    for (const [, make] of failing) await expect(sc.loadLayersModel(make() as never)).rejects.toThrow();
    expect(fds()).toBe(before);
  });

  it("predict with the wrong input shape names the expected shape", async () => {
    const model = await sc.loadLayersModel(base);
    const x = sc.tensor(new Float32Array(2 * 9 * 8 * 3), [2, 9, 8, 3]);
    const before = sc.memory();
    expect(() => model.predict(x)).toThrow(/predict: expected input to have shape \[null,8,8,3\] \(or one example \[8,8,3\]\) but got shape \[2,9,8,3\]/);
    expect(() => model.predict([1, 2, 3])).toThrow(/expected input to have shape \[null,8,8,3\]/);
    expect(sc.memory()).toEqual(before);
    x.dispose();
    model.dispose();
    expect(() => model.predict(x)).toThrow(/disposed/);
  });
});

describe("inspecting a model", () => {
  it("summary, layers, getLayer, getWeights and intermediate outputs", async () => {
    const before = sc.memory();
    const path = writeFolder(base);
    const model = await sc.loadLayersModel(`file://${path}`);
    expect(model.layers.map((l) => `${l.name}:${l.getClassName()}`)).toEqual([
      "c1:Conv2D", "p1:MaxPooling2D", "c2:Conv2D", "bn:BatchNormalization", "act:Activation", "flat:Flatten", "head:Dense",
    ]);
    const lines: string[] = [];
    const text = model.summary(undefined, undefined, (l) => lines.push(l));
    expect(lines.join("\n")).toBe(text);
    expect(text).toMatch(/\nc1 \(Conv2D\) +\[null,6,6,4\] +112 *\n/);
    expect(text).toMatch(/\nbn \(BatchNormalization\) +\[null,3,3,6\] +24 *\n/);
    expect(text).toMatch(/Total params: 331\nTrainable params: 319\nNon-trainable params: 12/);
    expect(model.countParams()).toBe(tfModel.countParams());

    // Weights as saved: kernel HWIO and bias; batch norm's four vectors, not folded.
    const ws = model.getLayer("c1").getWeights();
    expect(ws.map((w) => w.shape)).toEqual([[3, 3, 3, 4], [4]]);
    expect(Array.from(ws[0].dataSync())).toEqual(Array.from(tfModel.getLayer("c1").getWeights()[0].dataSync()));
    const bn = model.getLayer("bn").getWeights();
    expect(Array.from(bn[3].dataSync())).toEqual(Array.from(tfModel.getLayer("bn").getWeights()[3].dataSync()));
    expect(model.getLayer(undefined, 6).name).toBe("head");
    expect(() => model.getLayer("nope")).toThrow(/no layer is named "nope"; layers: c1, p1/);

    // Intermediate outputs equal tfjs-layers' own sub-models'.
    const x = input([2, 8, 8, 3], 22);
    const xt = sc.tensor(x, [2, 8, 8, 3]);
    const outs = model.predict(xt, { outputs: ["p1", "c1", "head", "act", "flat"] });
    expect(outs.map((t) => t.shape)).toEqual([[2, 3, 3, 4], [2, 6, 6, 4], [2, 3], [2, 3, 3, 6], [2, 54]]);
    for (const [i, name] of ["p1", "c1", "head", "act"].entries()) {
      const sub = tfl.model({ inputs: tfModel.inputs, outputs: tfModel.getLayer(name).output as tfl.SymbolicTensor });
      const want = predictTf(sub, x, [2, 8, 8, 3]);
      const got = outs[i].dataSync();
      for (let k = 0; k < got.length; k++) expect(got[k]).toBeCloseTo(want.data[k], 5);
    }
    // A layer folded into the next one has no output of its own.
    expect(() => model.predict(xt, { outputs: ["c2"] })).toThrow(/layer 'c2' is fused into one step with the layers after it.*ask for 'act'/);
    expect(() => model.predict(xt, { outputs: ["zz"] })).toThrow(/no layer is named "zz"/);
    sc.dispose([ws, bn, outs, xt]);
    model.dispose();
    expect(sc.memory()).toMatchObject({ numBytes: before.numBytes, numTensors: before.numTensors });
  });
});
