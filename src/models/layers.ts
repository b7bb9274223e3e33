/**
 * Layers with tfjs-layers' names and camelCase config fields. A layer holds its configuration
 * and its weights as plain Float32Arrays (what getWeights returns and what a folded batch
 * norm starts from); the model turns them into packed wasm weights once, when it is built.
 */
import { describe } from "../errors.js";
import { tensor, Tensor } from "../tensor.js";
import { activationOf, type ActivationName } from "./activations.js";

/** A shape with the batch dimension first; null is a dimension not fixed by the model. */
export type Shape = (number | null)[];

export interface LayerWeight {
  /** "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance". */
  name: string;
  shape: number[];
  values: Float32Array;
  trainable: boolean;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  trainable: boolean;
  init: (n: number, shape: number[]) => Float32Array;
}

export interface LayerArgs {
  name?: string;
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
  batchSize?: number;
  /** Initial weights, in getWeights() order. */
  weights?: (Tensor | Float32Array)[];
  trainable?: boolean;
  dtype?: string;
}

/** Config fields every layer accepts and ignores at inference. */
const COMMON = [
  "name", "inputShape", "batchInputShape", "batchSize", "weights", "trainable", "dtype", "inputDType",
  // Training-only fields a saved model carries; they do not change inference.
  "kernelRegularizer", "biasRegularizer", "activityRegularizer", "kernelConstraint", "biasConstraint",
  "betaRegularizer", "gammaRegularizer", "betaConstraint", "gammaConstraint", "synchronized",
];

const counters = new Map<string, number>();
/** Keras-style unique names: conv2d, conv2d_1, … */
function autoName(className: string): string {
  const base = className.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/(\d)D$/, "$1d").toLowerCase();
  const n = counters.get(base) ?? 0;
  counters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

export function fail(where: string, msg: string, type: "type" | "range" = "type"): never {
  throw type === "type" ? new TypeError(`${where}: ${msg}`) : new RangeError(`${where}: ${msg}`);
}

function posInt(v: unknown, where: string, field: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 1 << 20) {
    fail(where, `${field} must be a positive integer, got ${describe(v)}`, "range");
  }
  return v;
}

function intPair(v: unknown, where: string, field: string, dflt?: [number, number]): [number, number] {
  if (v === undefined || v === null) {
    if (dflt) return dflt;
    fail(where, `${field} is required`);
  }
  const p = typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2) fail(where, `${field} must be a number or [height, width], got ${describe(v)}`);
  return [posInt(p[0], where, field), posInt(p[1], where, field)];
}

function paddingOf(v: unknown, where: string): "valid" | "same" {
  const p = v ?? "valid";
  if (p === "valid" || p === "same") return p;
  fail(where, `padding ${describe(p)} is not supported; supported: 'valid', 'same'`);
}

function channelsLast(v: unknown, where: string): void {
  if (v === undefined || v === null || v === "channelsLast" || v === "channels_last") return;
  fail(where, `dataFormat ${describe(v)} is not supported; supported: 'channelsLast' (NHWC)`);
}

function bool(v: unknown, dflt: boolean, where: string, field: string): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") fail(where, `${field} must be a boolean, got ${describe(v)}`);
  return v;
}

function num(v: unknown, dflt: number, where: string, field: string): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v)) fail(where, `${field} must be a finite number, got ${describe(v)}`);
  return v;
}

function shapeOf(v: unknown, where: string, field: string): Shape {
  if (!Array.isArray(v) || v.length > 8) fail(where, `${field} must be an array of dimensions, got ${describe(v)}`);
  return v.map((d) => {
    if (d === null || d === undefined) return null;
    return posInt(d, where, field);
  });
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const fmt = (s: Shape) => `[${s.map((d) => (d === null ? "null" : d)).join(",")}]`;

export abstract class Layer {
  readonly name: string;
  /** The batch input shape this layer declares (first layer / input layer), if any. */
  readonly batchInputShape: Shape | null;
  /** Weights once built (getWeights() order). */
  protected weightList: LayerWeight[] = [];
  protected built = false;
  /** Filled by the model: the shapes this layer reads and writes. */
  inputShape: Shape = [];
  outputShape: Shape = [];
  private readonly initialWeights?: (Tensor | Float32Array)[];

  constructor(readonly className: string, args: LayerArgs, readonly config: Record<string, unknown>) {
    const where = `${className}`;
    if (args.name !== undefined && (typeof args.name !== "string" || args.name === "")) {
      fail(where, `name must be a non-empty string, got ${describe(args.name)}`);
    }
    this.name = args.name ?? autoName(className);
    const at = `${className} '${this.name}'`;
    for (const k of Object.keys(config)) {
      if (!COMMON.includes(k) && !this.fields().includes(k)) {
        fail(at, `config field '${k}' is not supported; supported: ${[...this.fields(), ...COMMON].join(", ")}`);
      }
    }
    if (args.batchInputShape !== undefined && args.batchInputShape !== null) {
      this.batchInputShape = shapeOf(args.batchInputShape, at, "batchInputShape");
    } else if (args.inputShape !== undefined && args.inputShape !== null) {
      this.batchInputShape = [args.batchSize ?? null, ...shapeOf(args.inputShape, at, "inputShape")];
    } else this.batchInputShape = null;
    this.initialWeights = args.weights;
  }

  /** Where errors point: class and name. */
  get where(): string {
    return `${this.className} '${this.name}'`;
  }

  getClassName(): string {
    return this.className;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, ...this.config };
  }

  /** Config fields besides the common ones. */
  protected abstract fields(): string[];

  /** The output shape for an input shape, checking that the layer accepts it. */
  abstract computeOutputShape(input: Shape): Shape;

  /** Names and shapes of the weights for an input shape, in getWeights() order. */
  weightSpecs(_input: Shape): WeightSpec[] {
    return [];
  }

  /**
   * Sets shapes and makes the weights: `provided` (a loaded model's, checked by the caller),
   * else the config's `weights`, else default-initialised. Called by the model.
   */
  build(input: Shape, provided?: (specs: WeightSpec[]) => Float32Array[]): void {
    this.inputShape = input;
    this.outputShape = this.computeOutputShape(input);
    const specs = this.weightSpecs(input);
    if (this.built) {
      if (specs.some((s, i) => fmt(s.shape) !== fmt(this.weightList[i]?.shape ?? []))) {
        fail(this.where, `is already built for input ${fmt(this.inputShape)}; a layer cannot be reused with another input shape`, "range");
      }
      return;
    }
    const given = provided?.(specs);
    this.weightList = specs.map((s, i) => ({
      name: s.name, shape: s.shape, trainable: s.trainable, values: given ? given[i] : s.init(size(s.shape), s.shape),
    }));
    if (!given && this.initialWeights) this.setWeightValues(this.initialWeights.map((w) => (w instanceof Tensor ? w.dataSync() : w)));
    this.built = true;
  }

  /** The weights as new tensors (kernel in HWIO, then bias; for batch norm gamma, beta, moving mean, moving variance). The caller disposes them. */
  getWeights(): Tensor[] {
    return this.weightList.map((w) => tensor(w.values, w.shape));
  }

  /** The weights' names and shapes, as getWeights() orders them. */
  get weights(): { name: string; shape: number[]; trainable: boolean }[] {
    return this.weightList.map((w) => ({ name: `${this.name}/${w.name}`, shape: w.shape.slice(), trainable: w.trainable }));
  }

  /**
   * Replaces the weights (copied), in getWeights() order: kernel HWIO and bias; gamma, beta,
   * moving mean, moving variance. A model holding the layer repacks it.
   */
  setWeights(weights: (Tensor | Float32Array)[]): void {
    if (!Array.isArray(weights)) fail(this.where, `setWeights expects an array of tensors, got ${describe(weights)}`);
    if (!this.built) fail(this.where, "setWeights: the layer is not built yet; put it in a model first");
    this.setWeightValues(
      weights.map((w) => (w instanceof Tensor ? w.dataSync() : w)),
      weights.map((w) => (w instanceof Tensor ? w.shape : (undefined as unknown as number[]))).some((s) => !s) ? undefined : weights.map((w) => (w as Tensor).shape),
    );
    this.onWeightsChanged?.();
  }

  /** @internal Set by the model that holds the layer. */
  onWeightsChanged?: () => void;

  /** @internal Values by weight name. */
  weightValues(name: string): Float32Array | undefined {
    return this.weightList.find((w) => w.name === name)?.values;
  }

  /** @internal Replaces the weights' values (copied), checking count and shapes. */
  setWeightValues(values: (Float32Array | number[])[], shapes?: number[][]): void {
    if (values.length !== this.weightList.length) {
      fail(this.where, `expects ${this.weightList.length} weights (${this.weightList.map((w) => w.name).join(", ") || "none"}), got ${values.length}`, "range");
    }
    values.forEach((v, i) => {
      const w = this.weightList[i];
      const shape = shapes?.[i];
      if ((shape && fmt(shape) !== fmt(w.shape)) || v.length !== w.values.length) {
        fail(this.where, `weight '${w.name}' must have shape ${fmt(w.shape)}, got ${shape ? fmt(shape) : `${v.length} values`}`, "range");
      }
    });
    values.forEach((v, i) => this.weightList[i].values.set(v));
  }

  countParams(): number {
    return this.weightList.reduce((n, w) => n + w.values.length, 0);
  }

  /** @internal The rank-4 check shared by the image layers. */
  protected image(input: Shape): [number | null, number | null, number | null, number | null] {
    if (input.length !== 4) fail(this.where, `expects a rank-4 input [batch, height, width, channels], got shape ${fmt(input)}`, "range");
    return input as [number | null, number | null, number | null, number | null];
  }
}

// Initialisers for layers built in code (tfjs's defaults: glorotUniform kernels, zero biases).
const zeros = (n: number) => new Float32Array(n);
const ones = (n: number) => new Float32Array(n).fill(1);
function glorotUniform(n: number, shape: number[]): Float32Array {
  const receptive = shape.length > 2 ? size(shape.slice(0, -2)) : 1;
  const fanIn = shape[shape.length - 2] * receptive;
  const fanOut = shape[shape.length - 1] * receptive;
  const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (Math.random() * 2 - 1) * limit;
  return out;
}

/** TF's output size of a window along one axis (null stays null). */
function windowOut(d: number | null, k: number, s: number, dil: number, padding: "valid" | "same", where: string): number | null {
  if (d === null) return null;
  const eff = (k - 1) * dil + 1;
  const out = padding === "same" ? Math.ceil(d / s) : Math.floor((d - eff) / s) + 1;
  if (out < 1) fail(where, `a window of ${eff} with padding '${padding}' does not fit an input of ${d}`, "range");
  return out;
}

export interface Conv2DLayerArgs extends LayerArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: "valid" | "same";
  dataFormat?: "channelsLast";
  dilationRate?: number | [number, number];
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: unknown;
  biasInitializer?: unknown;
  groups?: number;
}

export class Conv2D extends Layer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: "valid" | "same";
  readonly dilationRate: [number, number];
  readonly activation: ActivationName;
  readonly useBias: boolean;

  constructor(args: Conv2DLayerArgs) {
    super("Conv2D", args, { ...args });
    const w = this.where;
    this.filters = posInt(args.filters, w, "filters");
    this.kernelSize = intPair(args.kernelSize, w, "kernelSize");
    this.strides = intPair(args.strides, w, "strides", [1, 1]);
    this.padding = paddingOf(args.padding, w);
    this.dilationRate = intPair(args.dilationRate, w, "dilationRate", [1, 1]);
    channelsLast(args.dataFormat, w);
    if (args.groups !== undefined && args.groups !== null && args.groups !== 1) {
      fail(w, `groups ${describe(args.groups)} is not supported; supported: 1`);
    }
    if ((this.strides[0] > 1 || this.strides[1] > 1) && (this.dilationRate[0] > 1 || this.dilationRate[1] > 1)) {
      fail(w, `strides ${fmt(this.strides)} and dilationRate ${fmt(this.dilationRate)} cannot both be above 1`, "range");
    }
    this.activation = activationOf(args.activation, w);
    this.useBias = bool(args.useBias, true, w, "useBias");
  }

  protected fields() {
    return ["filters", "kernelSize", "strides", "padding", "dataFormat", "dilationRate", "activation", "useBias", "kernelInitializer", "biasInitializer", "groups"];
  }

  computeOutputShape(input: Shape): Shape {
    const [n, h, w, c] = this.image(input);
    if (c === null) fail(this.where, `the input's channel count must be known, got shape ${fmt(input)}`, "range");
    return [
      n,
      windowOut(h, this.kernelSize[0], this.strides[0], this.dilationRate[0], this.padding, this.where),
      windowOut(w, this.kernelSize[1], this.strides[1], this.dilationRate[1], this.padding, this.where),
      this.filters,
    ];
  }

  weightSpecs(input: Shape) {
    const ci = input[3] as number;
    const specs = [{ name: "kernel", shape: [...this.kernelSize, ci, this.filters], trainable: true, init: glorotUniform }];
    if (this.useBias) specs.push({ name: "bias", shape: [this.filters], trainable: true, init: zeros });
    return specs;
  }
}

export interface Pooling2DLayerArgs extends LayerArgs {
  poolSize?: number | [number, number];
  strides?: number | [number, number];
  padding?: "valid" | "same";
  dataFormat?: "channelsLast";
}

export class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: "valid" | "same";

  constructor(className: "MaxPooling2D" | "AveragePooling2D", args: Pooling2DLayerArgs) {
    super(className, args, { ...args });
    const w = this.where;
    this.poolSize = intPair(args.poolSize, w, "poolSize", [2, 2]);
    this.strides = intPair(args.strides, w, "strides", this.poolSize);
    this.padding = paddingOf(args.padding, w);
    channelsLast(args.dataFormat, w);
  }

  protected fields() {
    return ["poolSize", "strides", "padding", "dataFormat"];
  }

  computeOutputShape(input: Shape): Shape {
    const [n, h, w, c] = this.image(input);
    return [
      n,
      windowOut(h, this.poolSize[0], this.strides[0], 1, this.padding, this.where),
      windowOut(w, this.poolSize[1], this.strides[1], 1, this.padding, this.where),
      c,
    ];
  }
}

export interface GlobalPooling2DLayerArgs extends LayerArgs {
  dataFormat?: "channelsLast";
  keepDims?: boolean;
}

export class GlobalPooling2D extends Layer {
  readonly keepDims: boolean;
  constructor(className: "GlobalAveragePooling2D" | "GlobalMaxPooling2D", args: GlobalPooling2DLayerArgs) {
    super(className, args, { ...args });
    channelsLast(args.dataFormat, this.where);
    this.keepDims = bool(args.keepDims, false, this.where, "keepDims");
  }
  protected fields() {
    return ["dataFormat", "keepDims"];
  }
  computeOutputShape(input: Shape): Shape {
    const [n, , , c] = this.image(input);
    return this.keepDims ? [n, 1, 1, c] : [n, c];
  }
}

export class Flatten extends Layer {
  constructor(args: LayerArgs & { dataFormat?: "channelsLast" } = {}) {
    super("Flatten", args, { ...args });
    channelsLast(args.dataFormat, this.where);
  }
  protected fields() {
    return ["dataFormat"];
  }
  computeOutputShape(input: Shape): Shape {
    if (input.length < 2) fail(this.where, `expects an input of rank 2 or more, got shape ${fmt(input)}`, "range");
    const rest = input.slice(1);
    return [input[0], rest.includes(null) ? null : size(rest as number[])];
  }
}

export interface DenseLayerArgs extends LayerArgs {
  units: number;
  activation?: string;
  useBias?: boolean;
  inputDim?: number;
  kernelInitializer?: unknown;
  biasInitializer?: unknown;
}

export class Dense extends Layer {
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  constructor(args: DenseLayerArgs) {
    const a = args.inputDim !== undefined && args.inputShape === undefined && args.batchInputShape === undefined
      ? { ...args, inputShape: [args.inputDim] }
      : args;
    super("Dense", a, { ...args });
    this.units = posInt(args.units, this.where, "units");
    this.activation = activationOf(args.activation, this.where);
    this.useBias = bool(args.useBias, true, this.where, "useBias");
  }
  protected fields() {
    return ["units", "activation", "useBias", "inputDim", "kernelInitializer", "biasInitializer"];
  }
  computeOutputShape(input: Shape): Shape {
    if (input.length < 2) fail(this.where, `expects an input of rank 2 or more, got shape ${fmt(input)}`, "range");
    if (input[input.length - 1] === null) fail(this.where, `the input's last dimension must be known, got shape ${fmt(input)}`, "range");
    return [...input.slice(0, -1), this.units];
  }
  weightSpecs(input: Shape) {
    const specs = [{ name: "kernel", shape: [input[input.length - 1] as number, this.units], trainable: true, init: glorotUniform }];
    if (this.useBias) specs.push({ name: "bias", shape: [this.units], trainable: true, init: zeros });
    return specs;
  }
}

/** Layers whose output is their input at inference: Dropout, InputLayer. */
export class Identity extends Layer {
  constructor(className: "Dropout" | "InputLayer", args: LayerArgs & { rate?: unknown; noiseShape?: unknown; seed?: unknown; sparse?: unknown }) {
    super(className, args, { ...args });
    if (className === "Dropout") {
      const r = args.rate;
      if (typeof r !== "number" || !(r >= 0 && r < 1)) fail(this.where, `rate must be a number in [0, 1), got ${describe(r)}`, "range");
    }
    if (className === "InputLayer" && !this.batchInputShape) fail(this.where, "inputShape or batchInputShape is required");
  }
  protected fields() {
    return this.className === "Dropout" ? ["rate", "noiseShape", "seed"] : ["sparse"];
  }
  computeOutputShape(input: Shape): Shape {
    return input;
  }
}

/** Activation, ReLU (maxValue) and LeakyReLU (alpha): one elementwise function. */
export class ActivationLayer extends Layer {
  readonly activation: ActivationName | "leakyReLU";
  readonly maxValue: number | null = null;
  readonly alpha: number = 0;
  constructor(className: "Activation" | "ReLU" | "LeakyReLU", args: LayerArgs & { activation?: string; maxValue?: number | null; alpha?: number }) {
    super(className, args, { ...args });
    const w = this.where;
    if (className === "Activation") {
      if (args.activation === undefined) fail(w, "activation is required");
      this.activation = activationOf(args.activation, w);
    } else if (className === "ReLU") {
      this.activation = "relu";
      if (args.maxValue !== undefined && args.maxValue !== null) {
        const m = num(args.maxValue, 0, w, "maxValue");
        if (m < 0) fail(w, `maxValue must be ≥ 0, got ${m}`, "range");
        this.maxValue = m;
      }
    } else {
      this.activation = "leakyReLU";
      this.alpha = num(args.alpha, 0.3, w, "alpha");
    }
  }
  protected fields() {
    return this.className === "Activation" ? ["activation"] : this.className === "ReLU" ? ["maxValue"] : ["alpha"];
  }
  computeOutputShape(input: Shape): Shape {
    return input;
  }
}

export class ZeroPadding2D extends Layer {
  /** [[top, bottom], [left, right]] */
  readonly padding: [[number, number], [number, number]];
  constructor(args: LayerArgs & { padding?: number | [number, number] | [[number, number], [number, number]]; dataFormat?: "channelsLast" } = {}) {
    super("ZeroPadding2D", args, { ...args });
    const w = this.where;
    channelsLast(args.dataFormat, w);
    const p = args.padding ?? 1;
    const nonNeg = (v: unknown) => {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 1 << 16) fail(w, `padding must hold non-negative integers, got ${describe(p)}`, "range");
      return v;
    };
    if (typeof p === "number") this.padding = [[nonNeg(p), p], [p, p]];
    else if (Array.isArray(p) && p.length === 2 && typeof p[0] === "number") {
      this.padding = [[nonNeg(p[0]), p[0] as number], [nonNeg(p[1]), p[1] as number]];
    } else if (Array.isArray(p) && p.length === 2 && Array.isArray(p[0]) && Array.isArray(p[1]) && p[0].length === 2 && p[1].length === 2) {
      this.padding = [[nonNeg(p[0][0]), nonNeg(p[0][1])], [nonNeg(p[1][0]), nonNeg(p[1][1])]];
    } else fail(w, `padding must be a number, [height, width] or [[top, bottom], [left, right]], got ${describe(p)}`);
  }
  protected fields() {
    return ["padding", "dataFormat"];
  }
  computeOutputShape(input: Shape): Shape {
    const [n, h, w, c] = this.image(input);
    const [[t, b], [l, r]] = this.padding;
    return [n, h === null ? null : h + t + b, w === null ? null : w + l + r, c];
  }
}

export interface BatchNormalizationLayerArgs extends LayerArgs {
  axis?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  momentum?: number;
  betaInitializer?: unknown;
  gammaInitializer?: unknown;
  movingMeanInitializer?: unknown;
  movingVarianceInitializer?: unknown;
}

export class BatchNormalization extends Layer {
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly axis: number;
  constructor(args: BatchNormalizationLayerArgs = {}) {
    super("BatchNormalization", args, { ...args });
    const w = this.where;
    let axis = args.axis ?? -1;
    if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
    if (typeof axis !== "number" || !Number.isInteger(axis)) fail(w, `axis must be an integer, got ${describe(axis)}`);
    this.axis = axis;
    this.epsilon = num(args.epsilon, 1e-3, w, "epsilon");
    if (this.epsilon < 0) fail(w, `epsilon must be ≥ 0, got ${this.epsilon}`, "range");
    this.center = bool(args.center, true, w, "center");
    this.scale = bool(args.scale, true, w, "scale");
  }
  protected fields() {
    return ["axis", "epsilon", "center", "scale", "momentum", "betaInitializer", "gammaInitializer", "movingMeanInitializer", "movingVarianceInitializer"];
  }
  computeOutputShape(input: Shape): Shape {
    const last = input.length - 1;
    if (this.axis !== -1 && this.axis !== last) {
      fail(this.where, `axis ${this.axis} is not supported; supported: -1 (the channel axis, ${last} for this input)`);
    }
    if (input[last] === null) fail(this.where, `the channel count must be known, got shape ${fmt(input)}`, "range");
    return input;
  }
  weightSpecs(input: Shape) {
    const c = input[input.length - 1] as number;
    const specs = [];
    if (this.scale) specs.push({ name: "gamma", shape: [c], trainable: true, init: ones });
    if (this.center) specs.push({ name: "beta", shape: [c], trainable: true, init: zeros });
    specs.push({ name: "moving_mean", shape: [c], trainable: false, init: zeros });
    specs.push({ name: "moving_variance", shape: [c], trainable: false, init: ones });
    return specs;
  }
  /** @internal y = x·scale + shift per channel. */
  affine(): { scale: Float32Array; shift: Float32Array } {
    const mean = this.weightValues("moving_mean")!;
    const variance = this.weightValues("moving_variance")!;
    const gamma = this.weightValues("gamma");
    const beta = this.weightValues("beta");
    const c = mean.length;
    const scale = new Float32Array(c);
    const shift = new Float32Array(c);
    for (let i = 0; i < c; i++) {
      // In float64, then rounded once, as tfjs's batchNorm computes (x - mean) * gamma / sqrt(var + eps) + beta.
      const s = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + this.epsilon);
      scale[i] = s;
      shift[i] = (beta ? beta[i] : 0) - mean[i] * s;
    }
    return { scale, shift };
  }
}

/** The layer factories, as `tf.layers` names them. */
export const layers = {
  conv2d: (args: Conv2DLayerArgs) => new Conv2D(args),
  maxPooling2d: (args: Pooling2DLayerArgs = {}) => new Pooling2D("MaxPooling2D", args),
  averagePooling2d: (args: Pooling2DLayerArgs = {}) => new Pooling2D("AveragePooling2D", args),
  globalAveragePooling2d: (args: GlobalPooling2DLayerArgs = {}) => new GlobalPooling2D("GlobalAveragePooling2D", args),
  globalMaxPooling2d: (args: GlobalPooling2DLayerArgs = {}) => new GlobalPooling2D("GlobalMaxPooling2D", args),
  flatten: (args: LayerArgs & { dataFormat?: "channelsLast" } = {}) => new Flatten(args),
  dense: (args: DenseLayerArgs) => new Dense(args),
  dropout: (args: LayerArgs & { rate: number; noiseShape?: unknown; seed?: number }) => new Identity("Dropout", args),
  activation: (args: LayerArgs & { activation: string }) => new ActivationLayer("Activation", args),
  reLU: (args: LayerArgs & { maxValue?: number | null } = {}) => new ActivationLayer("ReLU", args),
  leakyReLU: (args: LayerArgs & { alpha?: number } = {}) => new ActivationLayer("LeakyReLU", args),
  zeroPadding2d: (args: ConstructorParameters<typeof ZeroPadding2D>[0] = {}) => new ZeroPadding2D(args),
  inputLayer: (args: LayerArgs & { sparse?: boolean }) => new Identity("InputLayer", args),
  batchNormalization: (args: BatchNormalizationLayerArgs = {}) => new BatchNormalization(args),
};

/** Keras class names → factory, for loading. */
export const LAYER_CLASSES: Record<string, (args: Record<string, unknown>) => Layer> = {
  Conv2D: (a) => layers.conv2d(a as unknown as Conv2DLayerArgs),
  MaxPooling2D: (a) => layers.maxPooling2d(a),
  AveragePooling2D: (a) => layers.averagePooling2d(a),
  GlobalAveragePooling2D: (a) => layers.globalAveragePooling2d(a),
  GlobalMaxPooling2D: (a) => layers.globalMaxPooling2d(a),
  Flatten: (a) => layers.flatten(a),
  Dense: (a) => layers.dense(a as unknown as DenseLayerArgs),
  Dropout: (a) => layers.dropout(a as unknown as LayerArgs & { rate: number }),
  Activation: (a) => layers.activation(a as unknown as LayerArgs & { activation: string }),
  ReLU: (a) => layers.reLU(a),
  LeakyReLU: (a) => layers.leakyReLU(a),
  ZeroPadding2D: (a) => layers.zeroPadding2d(a),
  InputLayer: (a) => layers.inputLayer(a),
  BatchNormalization: (a) => layers.batchNormalization(a),
};
