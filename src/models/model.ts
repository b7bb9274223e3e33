/**
 * Sequential models: layers in a chain, compiled once into steps. A conv or dense step owns its
 * wasm weights, packed once, when the model is built or loaded; a batch norm and an activation right after it
 * are folded into it. `predict` runs the steps, freeing each intermediate once the next step
 * has read it, so the heap's free list serves the activations from the same few blocks.
 */
import { describe } from "../errors.js";
import { backend } from "../loader/backend.js";
import { empty, tensor, Tensor, toTensor, type TensorLike } from "../tensor.js";
import { maxPool } from "../ops/max_pool.js";
import { avgPool } from "../ops/avg_pool.js";
import { createConv2dFromValues, type Conv2DOperator } from "../ops/create_conv2d.js";
import { activate, clampOf, type ActivationName } from "./activations.js";
import {
  ActivationLayer, BatchNormalization, Conv2D, Dense, fail, Flatten, GlobalPooling2D, Identity, Layer,
  Pooling2D, ZeroPadding2D, type Shape, type WeightSpec,
} from "./layers.js";

const fmt = (s: Shape) => `[${s.map((d) => (d === null ? "null" : d)).join(",")}]`;

/** One unit of work; `layers` are the layers it computes, the last one's output is the step's. */
interface Step {
  layers: Layer[];
  outShape: Shape;
  /** Computes the output; `x` may be changed in place when `inPlace`. */
  run(x: Tensor, inPlace: boolean): Tensor;
  /** Packs the step's weights into wasm memory, if it has any and has not yet. */
  pack?(): void;
  /** Frees wasm weights. */
  dispose(): void;
}

export interface PredictConfig {
  /** Names of layers whose outputs to return, in this order, instead of the model's output. */
  outputs?: string[];
  /** Accepted for tfjs compatibility; the whole batch always runs at once. */
  batchSize?: number;
  verbose?: boolean;
}

export class LayersModel {
  readonly name: string;
  readonly layers: Layer[];
  /** [null, h, w, c] or as declared by the first layer. */
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  private steps: Step[] = [];
  private disposed = false;

  /** @internal Use `sequential()` or `loadLayersModel()`. */
  constructor(layerList: Layer[], name: string, weightsOf?: (layer: Layer, specs: WeightSpec[]) => Float32Array[]) {
    this.name = name;
    this.layers = layerList.slice();
    if (this.layers.length === 0) fail("sequential", "a model needs at least one layer", "range");
    const first = this.layers[0];
    if (!first.batchInputShape) {
      fail(first.where, "the first layer must set inputShape (or batchInputShape), as in tfjs-layers");
    }
    const names = new Set<string>();
    for (const l of this.layers) {
      if (!(l instanceof Layer)) fail("sequential", `layers must be simdconv layers, got ${describe(l)}`);
      if (names.has(l.name)) fail("sequential", `two layers are named '${l.name}'; layer names must be unique`);
      names.add(l.name);
    }
    let shape = first.batchInputShape;
    this.inputShape = shape;
    for (const l of this.layers) {
      if (l !== first && l.batchInputShape && fmt(l.batchInputShape.slice(1)) !== fmt(shape.slice(1))) {
        fail(l.where, `declares input shape ${fmt(l.batchInputShape)} but receives ${fmt(shape)}`, "range");
      }
      l.build(shape, weightsOf && ((specs) => weightsOf(l, specs)));
      shape = l.outputShape;
    }
    this.outputShape = shape;
    try {
      this.compile();
      this.pack();
    } catch (e) {
      this.dispose();
      throw e;
    }
    for (const l of this.layers) l.onWeightsChanged = () => this.recompile();
  }

  /** Packs the weights again after a layer's setWeights. */
  private recompile(): void {
    if (this.disposed) return;
    for (const s of this.steps) s.dispose();
    this.steps = [];
    this.leading = [];
    this.packed = false;
    this.compile();
    this.pack();
  }

  /** Plans the steps and packs the weights (once). */
  private compile(): void {
    const ls = this.layers;
    for (let i = 0; i < ls.length; ) {
      const l = ls[i];
      if (l instanceof Conv2D || l instanceof Dense) {
        // Fold what follows while the output so far is linear: identities, a batch norm, one activation.
        const group: Layer[] = [l];
        let bn: BatchNormalization | undefined;
        let act: ActivationName | "leakyReLU" = l.activation;
        let clampHi: number | null = null;
        let alpha = 0;
        let j = i + 1;
        for (; j < ls.length; j++) {
          const n = ls[j];
          if (n instanceof Identity) group.push(n);
          else if (n instanceof BatchNormalization && act === "linear" && !bn) {
            bn = n;
            group.push(n);
          } else if (n instanceof ActivationLayer && act === "linear") {
            act = n.activation;
            alpha = n.alpha;
            clampHi = n.maxValue;
            group.push(n);
            j++;
            break;
          } else break;
        }
        // Identities right after the group end with it: their outputs are the group's.
        while (j < ls.length && ls[j] instanceof Identity) group.push(ls[j++]);
        this.steps.push(weightedStep(l, group, bn, act, clampHi, alpha));
        i = j;
        continue;
      }
      const group: Layer[] = [l];
      let j = i + 1;
      while (j < ls.length && ls[j] instanceof Identity) group.push(ls[j++]);
      const step = plainStep(l, group);
      if (step) this.steps.push(step);
      else if (this.steps.length) this.steps[this.steps.length - 1].layers.push(...group);
      else this.leading.push(...group);
      i = j;
    }
  }

  /** Identity layers before the first step: their output is the input. */
  private leading: Layer[] = [];

  /** A layer by name, or by index in `layers`. */
  getLayer(name?: string, index?: number): Layer {
    if (typeof name === "number") [name, index] = [undefined, name];
    if (index !== undefined) {
      const l = this.layers[index];
      if (!l) fail("getLayer", `index ${index} is out of range: the model has ${this.layers.length} layers`, "range");
      return l;
    }
    const l = this.layers.find((x) => x.name === name);
    if (!l) fail("getLayer", `no layer is named ${describe(name)}; layers: ${this.layers.map((x) => x.name).join(", ")}`, "range");
    return l;
  }

  countParams(): number {
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }

  /**
   * Runs the model on `x`: a batch [n, h, w, c] or one image [h, w, c] (whose result then
   * has no batch dimension). With `outputs`, returns those layers' outputs, in that order.
   */
  predict(x: Tensor | TensorLike, config: PredictConfig & { outputs: string[] }): Tensor[];
  predict(x: Tensor | TensorLike, config?: PredictConfig): Tensor;
  predict(x: Tensor | TensorLike, config: PredictConfig = {}): Tensor | Tensor[] {
    if (this.disposed) fail("predict", "the model is disposed");
    const { t: input, owned } = toTensor(x, "x", "predict");
    const kept = new Map<string, Tensor>();
    let cur = input;
    let ours = owned;
    try {
      const expected = this.inputShape;
      const single = input.rank === expected.length - 1;
      const ok = (input.rank === expected.length || single) &&
        expected.slice(1).every((d, k) => d === null || d === input.shape[k + (single ? 0 : 1)]);
      if (!ok) {
        throw new RangeError(
          `predict: expected input to have shape ${fmt(expected)} (or one example ${fmt(expected.slice(1))}) but got shape [${input.shape}]`,
        );
      }
      if (single) {
        cur = input.reshape([1, ...input.shape]);
        if (owned) input.dispose();
        ours = true;
      }
      this.pack();
      const wanted = config.outputs;
      if (wanted !== undefined) this.checkOutputs(wanted);
      const want = new Set(wanted ?? []);
      const grab = (layers: Layer[], t: Tensor) => {
        for (const l of layers) if (want.has(l.name) && !kept.has(l.name)) kept.set(l.name, t.clone());
      };
      grab(this.leading, cur);
      for (const step of this.steps) {
        const next = step.run(cur, ours);
        if (next !== cur && ours) cur.dispose();
        cur = next;
        ours = true;
        grab(step.layers, cur);
        if (wanted && kept.size === want.size) break;
      }
      const finish = (t: Tensor): Tensor => {
        if (!single || t.shape[0] !== 1) return t;
        const r = t.reshape(t.shape.slice(1));
        t.dispose();
        return r;
      };
      if (wanted) {
        if (ours) cur.dispose();
        ours = false;
        const out = wanted.map((n) => finish(kept.get(n)!));
        kept.clear();
        return out;
      }
      // The caller gets a tensor of their own even for a model of identities.
      const result = ours ? cur : cur.clone();
      ours = false;
      return finish(result);
    } finally {
      if (ours) cur.dispose();
      for (const t of kept.values()) t.dispose();
    }
  }

  /**
   * Packs every step's weights, in layer order, when the model is built or loaded (predict
   * finds them packed), so the packed blocks sit together below the activations and no predict
   * pays for packing. A failure frees what was packed.
   */
  private pack(): void {
    if (this.packed) return;
    try {
      for (const s of this.steps) s.pack?.();
    } catch (e) {
      for (const s of this.steps) s.dispose();
      throw e;
    }
    this.packed = true;
  }

  private packed = false;

  private checkOutputs(wanted: unknown): void {
    if (!Array.isArray(wanted)) fail("predict", `outputs must be an array of layer names, got ${describe(wanted)}`);
    const available = new Set([...this.leading, ...this.steps.flatMap((s) => s.layers)].map((l) => l.name));
    for (const n of wanted) {
      if (available.has(n)) continue;
      const step = this.steps.find((s) => s.layers.some((l) => l.name === n));
      if (step) continue;
      const fusedIn = this.steps.find((s) => (s as { fused?: Layer[] }).fused?.some((l) => l.name === n));
      if (fusedIn) {
        const last = fusedIn.layers[fusedIn.layers.length - 1].name;
        fail("predict", `layer '${n}' is fused into one step with the layers after it, so its own output is never computed; ask for '${last}' instead`, "range");
      }
      fail("predict", `no layer is named ${describe(n)}; layers: ${this.layers.map((l) => l.name).join(", ")}`, "range");
    }
  }

  /**
   * A Keras-style table of layers, output shapes and parameter counts. Printed through
   * `printFn` (console.log by default) and returned.
   */
  summary(lineLength = 65, positions: number[] = [0.45, 0.85, 1], printFn: (line: string) => void = console.log): string {
    const cols = positions.map((p) => (p <= 1 ? Math.floor(lineLength * p) : p));
    const row = (fields: string[]) => {
      let line = "";
      fields.forEach((f, i) => {
        if (i > 0) line = line.slice(0, cols[i - 1] - 1) + " ";
        line += f;
        line = line.padEnd(cols[i]).slice(0, cols[i]);
      });
      return line;
    };
    const lines = [`Model: "${this.name}"`, "_".repeat(lineLength), row(["Layer (type)", "Output shape", "Param #"]), "=".repeat(lineLength)];
    this.layers.forEach((l, i) => {
      lines.push(row([`${l.name} (${l.className})`, fmt(l.outputShape), String(l.countParams())]));
      lines.push(i === this.layers.length - 1 ? "=".repeat(lineLength) : "_".repeat(lineLength));
    });
    const total = this.countParams();
    const frozen = this.layers.reduce((n, l) => n + l.weights.filter((w) => !w.trainable).reduce((m, w) => m + w.shape.reduce((a, b) => a * b, 1), 0), 0);
    lines.push(`Total params: ${total}`, `Trainable params: ${total - frozen}`, `Non-trainable params: ${frozen}`, "_".repeat(lineLength));
    const text = lines.join("\n");
    for (const line of lines) printFn(line);
    return text;
  }

  /** Frees every wasm block the model holds. Safe to call twice. */
  dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    let freed = 0;
    for (const s of this.steps) {
      s.dispose();
      freed++;
    }
    this.steps = [];
    this.disposed = true;
    for (const l of this.layers) l.onWeightsChanged = undefined;
    return { refCountAfterDispose: 0, numDisposedVariables: freed };
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}

/** A conv or dense layer with what is folded into it. */
function weightedStep(
  l: Conv2D | Dense, group: Layer[], bn: BatchNormalization | undefined,
  act: ActivationName | "leakyReLU", clampHi: number | null, alpha: number,
): Step & { fused: Layer[] } {
  const kernel = l.weightValues("kernel")!;
  const bias0 = l.weightValues("bias");
  const co = l instanceof Conv2D ? l.filters : l.units;
  const k = kernel.length / co;
  let filterValues = kernel;
  let biasValues: Float32Array | undefined = bias0;
  if (bn) {
    const { scale, shift } = bn.affine();
    filterValues = new Float32Array(kernel.length);
    for (let r = 0; r < k; r++) for (let c = 0; c < co; c++) filterValues[r * co + c] = kernel[r * co + c] * scale[c];
    biasValues = new Float32Array(co);
    for (let c = 0; c < co; c++) biasValues[c] = (bias0 ? bias0[c] : 0) * scale[c] + shift[c];
  }
  // relu with a maxValue of 6 or none is a clamp the tile applies; anything else is a pass after it.
  let clamp: "linear" | "relu" | "relu6" = "linear";
  let post: ActivationName | "leakyReLU" = act;
  if (act === "relu" && (clampHi === null || clampHi === 6)) [clamp, post] = [clampHi === 6 ? "relu6" : "relu", "linear"];
  else if (clampOf(act as ActivationName) && act !== "relu") [clamp, post] = [act as "linear" | "relu6", "linear"];
  const inShape = l.inputShape;
  const dense = l instanceof Dense;
  const [kh, kw] = dense ? [1, 1] : l.kernelSize;
  const ci = dense ? k : (inShape[3] as number);
  // The operator checks the options, plans the path and packs the weights when the model is
  // built (LayersModel.pack); the HWIO values reach wasm memory only for the packing.
  let conv: Conv2DOperator | undefined;
  const pack = (): Conv2DOperator => (conv ??= createConv2dFromValues(filterValues, [kh, kw, ci, co], {
    strides: dense ? 1 : l.strides, pad: dense ? "valid" : l.padding,
    dilations: dense ? 1 : l.dilationRate, bias: biasValues, activation: clamp,
  }));
  const last = group[group.length - 1];
  const outShape = last.outputShape;
  const hiClamp = clampHi;
  return {
    layers: [last, ...group.filter((g) => g instanceof Identity && group.indexOf(g) > group.indexOf(last))],
    fused: group.slice(0, -1),
    outShape,
    run(x: Tensor) {
      let input = x;
      let y: Tensor;
      if (dense && x.rank !== 4) {
        // [..., f] as a 1×1 conv over one row of pixels.
        const m = x.size / ci;
        input = x.reshape([1, 1, m, ci]);
      }
      try {
        y = pack().run(input);
      } finally {
        if (input !== x) input.dispose();
      }
      if (dense && x.rank !== 4) {
        const r = y.reshape([...x.shape.slice(0, -1), co]);
        y.dispose();
        y = r;
      }
      // One kernel pass over the output the conv just wrote (softmax along its channels).
      activate(y, post, alpha, hiClamp);
      return y;
    },
    pack() {
      pack();
    },
    dispose() {
      conv?.dispose();
      conv = undefined;
    },
  };
}

/** Steps for the layers without GEMM weights; null for identities. */
function plainStep(l: Layer, group: Layer[]): Step | null {
  const layersOut = group;
  const outShape = l.outputShape;
  const step = (run: Step["run"], dispose = () => {}): Step => ({ layers: layersOut, outShape, run, dispose });
  if (l instanceof Identity) return null;
  if (l instanceof Pooling2D) {
    const pool = l.className === "MaxPooling2D" ? maxPool : avgPool;
    return step((x) => pool(x, l.poolSize, l.strides, l.padding));
  }
  if (l instanceof GlobalPooling2D) {
    // A pool whose window is the whole image: one output row per example.
    const pool = l.className === "GlobalMaxPooling2D" ? maxPool : avgPool;
    return step((x) => {
      const [n, h, w, c] = x.shape;
      const y = pool(x, [h, w], [h, w], "valid");
      if (l.keepDims) return y;
      const r = y.reshape([n, c]);
      y.dispose();
      return r;
    });
  }
  if (l instanceof Flatten) return step((x) => x.reshape([x.shape[0], x.size / x.shape[0]]));
  if (l instanceof ZeroPadding2D) {
    return step((x) => {
      const [n, h, w, c] = x.shape;
      const [[t, b], [le, r]] = l.padding;
      const ho = h + t + b;
      const wo = w + le + r;
      const out = empty([n, ho, wo, c], l.name);
      const f = backend().heap.f32;
      const src = x.ptr() >>> 2;
      const dst = out.ptr() >>> 2;
      f.fill(0, dst, dst + out.size);
      for (let i = 0; i < n; i++) {
        for (let y = 0; y < h; y++) {
          const s = src + (i * h + y) * w * c;
          f.copyWithin(dst + ((i * ho + y + t) * wo + le) * c, s, s + w * c);
        }
      }
      return out;
    });
  }
  if (l instanceof BatchNormalization) {
    const { scale, shift } = l.affine();
    const c = scale.length;
    return step((x, inPlace) => {
      const y = inPlace ? x : x.clone();
      const v = y.view();
      for (let i = 0; i < v.length; i += c) for (let k = 0; k < c; k++) v[i + k] = v[i + k] * scale[k] + shift[k];
      return y;
    });
  }
  if (l instanceof ActivationLayer) {
    return step((x, inPlace) => {
      const y = inPlace ? x : x.clone();
      activate(y, l.activation, l.alpha, l.maxValue);
      return y;
    });
  }
  fail(l.where, "this layer class cannot run in a model");
}

export interface SequentialArgs {
  layers?: Layer[];
  name?: string;
}

/** A model of layers in a chain, as `tf.sequential`; its weights are packed here, once. */
export function sequential(config: SequentialArgs = {}): LayersModel {
  if (typeof config !== "object" || config === null) fail("sequential", `config must be an object { layers }, got ${describe(config)}`);
  if (!Array.isArray(config.layers)) fail("sequential", `layers must be an array of layers, got ${describe(config.layers)}`);
  return new LayersModel(config.layers, config.name ?? "sequential");
}
