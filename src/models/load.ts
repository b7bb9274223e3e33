/**
 * loadLayersModel: the TF.js Layers format (`model.json` with `modelTopology` and
 * `weightsManifest`, plus `.bin` shards), as tensorflowjs_converter and tfjs `model.save()`
 * write it. Model files are untrusted input: sizes are checked before anything is allocated,
 * every field is checked before it is used, and nothing stays allocated after a failed load.
 */
import { backend } from "../loader/backend.js";
import { describe } from "../errors.js";
import { LAYER_CLASSES, type Layer, type WeightSpec } from "./layers.js";
import { LayersModel } from "./model.js";

export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

/** tfjs's ModelArtifacts, the fields a Layers model uses. */
export interface ModelArtifacts {
  modelTopology: object;
  weightSpecs?: WeightsManifestEntry[];
  weightData?: ArrayBuffer | ArrayBuffer[] | ArrayBufferView;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** tfjs's IOHandler, the part that loads. */
export interface IOHandler {
  load(): Promise<ModelArtifacts>;
}

export type ModelSource = string | URL | ModelArtifacts | IOHandler | ArrayLike<Blob & { name: string }>;

export interface LoadOptions {
  /** fetch to use for URLs (tfjs's `fetchFunc`). */
  fetchFunc?: (url: string) => Promise<Response>;
  /** Largest model.json accepted, in bytes (default 64 MiB). */
  maxJsonBytes?: number;
}

const OP = "loadLayersModel";
const MAX_JSON_BYTES = 64 << 20;
const MAX_LAYERS = 4096;
const MAX_RANK = 8;

/** Errors about the model's content (RangeError for sizes, TypeError for kinds). */
function bad(msg: string, type: "type" | "range" | "error" = "type"): never {
  const m = `${OP}: ${msg}`;
  throw type === "type" ? new TypeError(m) : type === "range" ? new RangeError(m) : new Error(m);
}

interface Reader {
  /** Reads the manifest's path, relative to the model.json. `max` bytes at most are accepted. */
  read(path: string, max: number): Promise<Uint8Array>;
  /**
   * Readers that can (files in Node) give the paths' sizes first, then read each path into its
   * place in one buffer (`into` has the file's size), all at once: one buffer for a group's
   * shards instead of reading each and joining them.
   */
  sizes?(paths: string[]): Promise<number[]>;
  readInto?(path: string, into: Uint8Array): Promise<void>;
}

/** Loads a TF.js Layers model; its weights are packed once, here. */
export async function loadLayersModel(source: ModelSource, options: LoadOptions = {}): Promise<LayersModel> {
  const maxJson = options.maxJsonBytes ?? MAX_JSON_BYTES;
  let artifacts: { topology: unknown; specs: WeightsManifestEntry[]; data: Uint8Array };
  // Whether the weight data is the loader's own (read or fetched here), so weights may view it.
  let owned = true;
  if (typeof source === "string" || source instanceof URL) {
    const reader = urlOrPathReader(source, options);
    artifacts = await fromJson(await reader.read("", maxJson), String(source), reader);
  } else if (isFileList(source)) {
    const files = Array.from(source);
    const json = files.find((f) => f.name.endsWith(".json"));
    if (!json) bad(`the files hold no .json file; choose the model.json together with its .bin shards (got ${files.map((f) => f.name).join(", ") || "none"})`);
    const reader: Reader = {
      async read(path, max) {
        const f = path === "" ? json : files.find((x) => x.name === path.split("/").pop());
        if (!f) bad(`the weights manifest names ${JSON.stringify(path)}, which is not among the chosen files (${files.map((x) => x.name).join(", ")})`, "error");
        if (f.size > max) bad(`${f.name} has ${f.size} bytes, more than the ${max} expected`, "range");
        return new Uint8Array(await f.arrayBuffer());
      },
    };
    artifacts = await fromJson(await reader.read("", maxJson), json.name, reader);
  } else if (source && typeof source === "object" && typeof (source as IOHandler).load === "function") {
    const a = await (source as IOHandler).load();
    artifacts = fromArtifacts(a);
    owned = false;
  } else if (source && typeof source === "object" && "modelTopology" in source) {
    artifacts = fromArtifacts(source as ModelArtifacts);
    owned = false;
  } else {
    bad(`source must be a URL, a file path, ModelArtifacts { modelTopology, weightSpecs, weightData }, an IOHandler with load(), or the chosen Files; got ${describe(source)}`);
  }
  return build(artifacts.topology, artifacts.specs, artifacts.data, owned);
}

function isFileList(v: unknown): v is ArrayLike<Blob & { name: string }> {
  const B = (globalThis as { Blob?: typeof Blob }).Blob;
  if (!B || !v || typeof v !== "object" || typeof (v as ArrayLike<unknown>).length !== "number") return false;
  const a = v as ArrayLike<unknown>;
  return a.length > 0 && Array.from(a).every((f) => f instanceof B && typeof (f as { name?: unknown }).name === "string");
}

function fromArtifacts(a: ModelArtifacts) {
  if (!a || typeof a !== "object") bad(`the IOHandler's load() must return ModelArtifacts, got ${describe(a)}`);
  if (!a.modelTopology || typeof a.modelTopology !== "object") bad("ModelArtifacts.modelTopology is missing: this is not a Layers model");
  const specs = a.weightSpecs ?? [];
  if (!Array.isArray(specs)) bad(`ModelArtifacts.weightSpecs must be an array, got ${describe(specs)}`);
  const wd = a.weightData;
  let data: Uint8Array;
  if (wd === undefined || wd === null) data = new Uint8Array(0);
  else if (wd instanceof ArrayBuffer) data = new Uint8Array(wd);
  else if (ArrayBuffer.isView(wd)) data = new Uint8Array(wd.buffer, wd.byteOffset, wd.byteLength);
  else if (Array.isArray(wd) && wd.every((b) => b instanceof ArrayBuffer)) data = concat(wd.map((b) => new Uint8Array(b)));
  else bad(`ModelArtifacts.weightData must be an ArrayBuffer or an array of them, got ${describe(wd)}`);
  return { topology: a.modelTopology, specs, data };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Parses model.json and reads its shards, group by group, checking sizes before each read. */
async function fromJson(bytes: Uint8Array, what: string, reader: Reader) {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    bad(`${what} is not valid JSON: ${(e as Error).message}`, "error");
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) bad(`${what} must hold a JSON object, got ${describe(json)}`);
  const j = json as { modelTopology?: unknown; weightsManifest?: unknown };
  if (!j.modelTopology || typeof j.modelTopology !== "object") {
    bad(`${what} has no modelTopology object: it is not a TF.js Layers model (a graph model needs tf.loadGraphModel)`);
  }
  const manifest = j.weightsManifest ?? [];
  if (!Array.isArray(manifest)) bad(`${what}: weightsManifest must be an array of { paths, weights }, got ${describe(manifest)}`);
  const specs: WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  // Check every group's specs, and the total, before reading any shard.
  const groups = manifest.map((g: unknown, gi: number) => {
    const group = g as { paths?: unknown; weights?: unknown };
    if (!group || typeof group !== "object" || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      bad(`weightsManifest[${gi}] must be { paths: string[], weights: [...] }, got ${describe(g)}`);
    }
    for (const p of group.paths) {
      if (typeof p !== "string" || p === "") bad(`weightsManifest[${gi}].paths must hold file names, got ${describe(p)}`);
    }
    const bytesNeeded = (group.weights as unknown[]).reduce<number>((n, w) => n + specBytes(w), 0);
    return { paths: group.paths as string[], weights: group.weights as WeightsManifestEntry[], bytesNeeded };
  });
  const total = groups.reduce((n, g) => n + g.bytesNeeded, 0);
  if (total > backend().heap.maxBytes) bad(`the weights need ${total} bytes, more than WebAssembly memory can hold (${backend().heap.maxBytes})`, "range");
  for (const g of groups) {
    const shards: Uint8Array[] = [];
    let have = 0;
    if (reader.sizes && reader.readInto && g.paths.length) {
      // Sizes first (each checked as a shard read one by one would be), then every shard read
      // into its place in one buffer at once.
      const sizes = await reader.sizes(g.paths);
      const at: number[] = [];
      sizes.forEach((n, i) => {
        const max = Math.max(0, g.bytesNeeded - have) + (1 << 20);
        if (n > max) bad(`${g.paths[i]} has ${n} bytes, more than the ${max} expected`, "range");
        at.push(have);
        have += n;
      });
      const into = new Uint8Array(have);
      await Promise.all(g.paths.map((p, i) => reader.readInto!(p, into.subarray(at[i], at[i] + sizes[i]))));
      shards.push(into);
    } else {
      for (const p of g.paths) {
        const b = await reader.read(p, Math.max(0, g.bytesNeeded - have) + (1 << 20));
        shards.push(b);
        have += b.length;
      }
    }
    if (have < g.bytesNeeded) {
      bad(`the shards ${g.paths.join(", ")} hold ${have} bytes, but their weights (${g.weights.map((w) => w.name).join(", ")}) need ${g.bytesNeeded}: a shard is missing or short`, "range");
    }
    // A group's weights are read from the start of its concatenated shards.
    parts.push(concat(shards).subarray(0, g.bytesNeeded));
    specs.push(...g.weights);
  }
  return { topology: j.modelTopology, specs, data: concat(parts) };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, bool: 1 };

/** Bytes a manifest entry takes in the shards, after checking its fields. */
function specBytes(w: unknown): number {
  const s = w as WeightsManifestEntry;
  if (!s || typeof s !== "object" || typeof s.name !== "string") bad(`a weights manifest entry must be { name, shape, dtype }, got ${describe(w)}`);
  const shape = s.shape;
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    bad(`weight '${s.name}': shape must be an array of at most ${MAX_RANK} non-negative integers, got ${describe(shape)}`, "range");
  }
  let n = 1;
  for (const d of shape) n *= d;
  if (n > 2 ** 30) bad(`weight '${s.name}': shape [${shape}] has ${n} values, more than a model can hold`, "range");
  const q = s.quantization;
  if (q !== undefined && q !== null) {
    if (typeof q !== "object" || !["uint8", "uint16", "float16"].includes(q.dtype)) {
      bad(`weight '${s.name}': quantization dtype ${describe(q?.dtype)} is not supported; supported: uint8, uint16, float16`);
    }
    if (q.dtype !== "float16" && !(Number.isFinite(q.scale) && Number.isFinite(q.min))) {
      bad(`weight '${s.name}': ${q.dtype} quantization needs finite scale and min, got scale ${describe(q.scale)}, min ${describe(q.min)}`);
    }
    return n * BYTES[q.dtype];
  }
  if (s.dtype !== "float32") {
    bad(`weight '${s.name}': dtype ${describe(s.dtype)} is not supported unquantized; supported: float32, or quantized uint8, uint16, float16`);
  }
  return n * 4;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

let halfTable: Float32Array | undefined;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Decodes each weight to float32 (dequantizing once), by name. Float32 weights of data the
 * loader owns (read from files or fetched, not the caller's ModelArtifacts) are views of it
 * where they are 4-byte aligned, not copies.
 */
function decodeWeights(specs: WeightsManifestEntry[], data: Uint8Array, owned: boolean): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  const need = specs.reduce((n, s) => n + specBytes(s), 0);
  if (need > data.length) {
    bad(`the weight specs need ${need} bytes but the weight data has ${data.length}: a shard is missing or short`, "range");
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let o = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const bytes = specBytes(s);
    if (out.has(s.name)) bad(`weight '${s.name}' appears twice in the weights manifest`);
    const q = s.quantization;
    if (!q && owned && LITTLE_ENDIAN && (data.byteOffset + o) % 4 === 0) {
      out.set(s.name, { shape: s.shape, values: new Float32Array(data.buffer, data.byteOffset + o, n) });
      o += bytes;
      continue;
    }
    const v = new Float32Array(n);
    if (!q) {
      // Little-endian hosts (all that run wasm) copy the bytes; DataView reads one by one.
      if (LITTLE_ENDIAN) new Uint8Array(v.buffer).set(data.subarray(o, o + 4 * n));
      else for (let i = 0; i < n; i++) v[i] = dv.getFloat32(o + 4 * i, true);
    } else if (q.dtype === "float16") {
      if (!halfTable) {
        halfTable = new Float32Array(65536);
        for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
      }
      for (let i = 0; i < n; i++) v[i] = halfTable[dv.getUint16(o + 2 * i, true)];
    } else {
      const scale = q.scale!;
      const min = q.min!;
      if (q.dtype === "uint8") for (let i = 0; i < n; i++) v[i] = data[o + i] * scale + min;
      else for (let i = 0; i < n; i++) v[i] = dv.getUint16(o + 2 * i, true) * scale + min;
    }
    out.set(s.name, { shape: s.shape, values: v });
    o += bytes;
  }
  return out;
}

interface LayerEntry {
  className: string;
  config: Record<string, unknown>;
}

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The layers of a Sequential model or of a functional model whose layers form one chain. */
function layerEntries(topology: unknown): { name: string; entries: LayerEntry[] } {
  let t = topology as { class_name?: unknown; config?: unknown; model_config?: unknown };
  if (t && typeof t === "object" && t.model_config && typeof t.model_config === "object") t = t.model_config as typeof t;
  if (!t || typeof t !== "object") bad(`modelTopology must be an object, got ${describe(t)}`);
  const cls = t.class_name;
  const cfg = t.config as { name?: unknown; layers?: unknown; input_layers?: unknown; output_layers?: unknown } | unknown[];
  const entry = (l: unknown, i: number): LayerEntry & { raw: Record<string, unknown> } => {
    const e = l as { class_name?: unknown; config?: unknown };
    if (!e || typeof e !== "object" || typeof e.class_name !== "string" || !e.config || typeof e.config !== "object" || Array.isArray(e.config)) {
      bad(`layer ${i} must be { class_name, config }, got ${describe(l)}`);
    }
    return { className: e.class_name, config: e.config as Record<string, unknown>, raw: e as Record<string, unknown> };
  };
  if (cls === "Sequential") {
    const list = Array.isArray(cfg) ? cfg : (cfg as { layers?: unknown })?.layers;
    if (!Array.isArray(list)) bad("the Sequential model's config has no layers array");
    if (list.length > MAX_LAYERS) bad(`the model has ${list.length} layers, more than ${MAX_LAYERS}`, "range");
    const name = !Array.isArray(cfg) && typeof cfg?.name === "string" ? cfg.name : "sequential";
    return { name, entries: list.map(entry) };
  }
  if (cls === "Model" || cls === "Functional") {
    const c = cfg as { name?: unknown; layers?: unknown; input_layers?: unknown; output_layers?: unknown };
    if (!c || typeof c !== "object" || !Array.isArray(c.layers)) bad(`the ${cls} model's config has no layers array`);
    if (c.layers.length > MAX_LAYERS) bad(`the model has ${c.layers.length} layers, more than ${MAX_LAYERS}`, "range");
    const all = c.layers.map(entry);
    const byName = new Map<string, (typeof all)[number]>();
    const inputsOf = new Map<string, string[]>();
    for (const e of all) {
      const n = (e.raw.name ?? e.config.name) as unknown;
      if (typeof n !== "string") bad(`a layer of class ${e.className} has no name`);
      if (byName.has(n)) bad(`two layers are named '${n}'`);
      byName.set(n, e);
      inputsOf.set(n, inboundNames(e.raw.inbound_nodes, n, e.className));
    }
    const ends = (v: unknown, what: string): string => {
      if (!Array.isArray(v) || v.length !== 1 || !Array.isArray(v[0]) || typeof v[0][0] !== "string") {
        bad(`the ${cls} model has ${Array.isArray(v) ? v.length : "no"} ${what}; supported: exactly one (a single chain of layers)`);
      }
      return v[0][0];
    };
    const input = ends(c.input_layers, "input layers");
    const output = ends(c.output_layers, "output layers");
    // Walk back from the output: every layer has one input, and the walk ends at the input layer.
    const chain: string[] = [];
    const seen = new Set<string>();
    for (let n: string | undefined = output; n !== undefined; ) {
      if (seen.has(n)) bad(`layer '${n}' is part of a cycle`);
      seen.add(n);
      if (!byName.has(n)) bad(`the graph names layer '${n}', which is not among its layers`);
      chain.unshift(n);
      const ins: string[] = inputsOf.get(n)!;
      if (ins.length > 1) bad(`layer '${n}' (${byName.get(n)!.className}) takes ${ins.length} inputs (${ins.join(", ")}); only single-chain models are supported (a branching graph)`);
      if (n === input) {
        if (ins.length) bad(`the input layer '${n}' has inbound layers`);
        break;
      }
      if (ins.length === 0) bad(`layer '${n}' has no inbound layer but is not the model's input '${input}'`);
      n = ins[0];
    }
    if (chain.length !== all.length) {
      const extra = all.map((e) => (e.raw.name ?? e.config.name) as string).filter((n) => !seen.has(n));
      bad(`layers ${extra.join(", ")} are not on the chain from '${input}' to '${output}'; only single-chain models are supported (a branching graph)`);
    }
    const name = typeof c.name === "string" ? c.name : "model";
    return { name, entries: chain.map((n) => byName.get(n)!) };
  }
  bad(`modelTopology class ${describe(cls)} is not supported; supported: Sequential, Model, Functional`);
}

/** Names of the layers feeding a functional layer (tfjs/Keras 2 nested arrays, or Keras 3 args). */
function inboundNames(nodes: unknown, name: string, className: string): string[] {
  if (nodes === undefined || nodes === null) return [];
  if (!Array.isArray(nodes)) bad(`layer '${name}': inbound_nodes must be an array, got ${describe(nodes)}`);
  if (nodes.length > 1) bad(`layer '${name}' (${className}) is called ${nodes.length} times (shared layer); only single-chain models are supported`);
  if (nodes.length === 0) return [];
  const node = nodes[0] as unknown;
  const names: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6 || names.length > 16) return;
    if (Array.isArray(v)) {
      if (typeof v[0] === "string" && typeof v[1] === "number") names.push(v[0]);
      else for (const e of v) walk(e, depth + 1);
    } else if (v && typeof v === "object") {
      const kh = (v as { config?: { keras_history?: unknown } }).config?.keras_history;
      if (Array.isArray(kh) && typeof kh[0] === "string") names.push(kh[0]);
      else walk((v as { args?: unknown }).args, depth + 1);
    }
  };
  walk(node, 0);
  return names;
}

/** Keras's field names where they differ from tfjs-layers' beyond snake_case. */
const RENAMED: Record<string, string> = { batchShape: "batchInputShape", rate: "rate" };

function toLayer(e: LayerEntry, i: number): Layer {
  const make = LAYER_CLASSES[e.className];
  if (!make) {
    const name = typeof e.config.name === "string" ? ` '${e.config.name}'` : "";
    bad(`layer ${i}${name}: class ${e.className} is not supported; supported: ${Object.keys(LAYER_CLASSES).join(", ")}`);
  }
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.config)) {
    const c = camel(k);
    args[RENAMED[c] ?? c] = v;
  }
  // Keras writes data_format and activations in snake_case; tfjs-layers reads them so.
  if (args.dataFormat === "channels_last") args.dataFormat = "channelsLast";
  // Keras 3 keeps these at the layer level; they do not change inference.
  delete args.ragged;
  try {
    return make(args);
  } catch (err) {
    // The layer's message names its class and name already.
    throw new (err instanceof RangeError ? RangeError : TypeError)(`${OP}: layer ${i}: ${(err as Error).message}`);
  }
}

function build(topology: unknown, specs: WeightsManifestEntry[], data: Uint8Array, owned: boolean): LayersModel {
  const { name, entries } = layerEntries(topology);
  const layers = entries.map(toLayer);
  const weights = decodeWeights(specs, data, owned);
  const used = new Set<string>();
  const find = (layer: Layer, w: string): string | undefined => {
    const exact = `${layer.name}/${w}`;
    if (weights.has(exact)) return exact;
    // Nested models prefix the layer name ("sequential/conv2d/kernel").
    for (const k of weights.keys()) if (k.endsWith(`/${exact}`) && !used.has(k)) return k;
    return undefined;
  };
  const weightsOf = (layer: Layer, want: WeightSpec[]): Float32Array[] =>
    want.map((s) => {
      const key = find(layer, s.name);
      if (!key) {
        bad(`layer '${layer.name}' (${layer.className}) needs weight '${layer.name}/${s.name}' of shape [${s.shape}], which the weights manifest does not have`, "range");
      }
      const got = weights.get(key)!;
      if (got.shape.join() !== s.shape.join()) {
        bad(`layer '${layer.name}' (${layer.className}): weight '${key}' has shape [${got.shape}], the topology needs [${s.shape}]`, "range");
      }
      used.add(key);
      return got.values;
    });
  if (layers[0] && layers[0].batchInputShape === null) bad(`the first layer '${layers[0].name}' declares no batch_input_shape`);
  const model = new LayersModel(layers, name, weightsOf);
  const unused = [...weights.keys()].filter((k) => !used.has(k));
  if (unused.length) {
    model.dispose();
    bad(`the weights manifest has ${unused.length} weights that no layer uses (${unused.slice(0, 5).join(", ")}${unused.length > 5 ? ", …" : ""}): the weights do not match the topology`, "range");
  }
  return model;
}

/** Reads model.json and its shards from a URL or, in Node, Deno and Bun, from a file path. */
function urlOrPathReader(source: string | URL, options: LoadOptions): Reader {
  const g = globalThis as {
    process?: { versions?: { node?: string }; getBuiltinModule?: (m: string) => unknown };
    Deno?: { readFile(p: string | URL): Promise<Uint8Array>; stat(p: string | URL): Promise<{ size: number }> };
    location?: { href: string };
  };
  const s = String(source);
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);
  const local = !hasScheme && !g.location && (g.Deno !== undefined || g.process?.versions?.node !== undefined);
  if (local || s.startsWith("file:")) {
    const fileUrl = local ? pathToUrl(s, g.process as { cwd?: () => string } | undefined, g.Deno as { cwd?: () => string } | undefined) : new URL(s);
    type FileHandle = {
      stat(): Promise<{ size: number }>;
      read(b: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
      close(): Promise<void>;
    };
    type Fs = { promises: { readFile(u: URL): Promise<Uint8Array>; stat(u: URL): Promise<{ size: number }>; open(u: URL, flags: string): Promise<FileHandle> } };
    const fs = g.process?.getBuiltinModule?.("fs") as Fs | undefined;
    const stat = fs ? (u: URL) => fs.promises.stat(u) : g.Deno ? (u: URL) => g.Deno!.stat(u) : null;
    const readFile = fs ? (u: URL) => fs.promises.readFile(u) : g.Deno ? (u: URL) => g.Deno!.readFile(u) : null;
    if (!stat || !readFile) bad(`cannot read ${s}: this runtime has no file system access; pass a URL or the files`, "error");
    return {
      async read(path, max) {
        const u = path === "" ? fileUrl : new URL(path, fileUrl);
        let size: number;
        try {
          size = (await stat(u)).size;
        } catch (e) {
          bad(`cannot read ${u.pathname}${path ? ` (named by the weights manifest)` : ""}: ${(e as Error).message}`, "error");
        }
        if (size > max) bad(`${u.pathname} has ${size} bytes, more than the ${max} expected`, "range");
        const b = await readFile(u);
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      },
      sizes: fs ? (paths) => Promise.all(paths.map(async (path) => {
        const u = new URL(path, fileUrl);
        try {
          return (await fs.promises.stat(u)).size;
        } catch (e) {
          bad(`cannot read ${u.pathname} (named by the weights manifest): ${(e as Error).message}`, "error");
        }
      })) : undefined,
      readInto: fs ? async (path, into) => {
        const u = new URL(path, fileUrl);
        let fh: Awaited<ReturnType<NonNullable<typeof fs>["promises"]["open"]>>;
        try {
          fh = await fs.promises.open(u, "r");
        } catch (e) {
          bad(`cannot read ${u.pathname} (named by the weights manifest): ${(e as Error).message}`, "error");
        }
        try {
          let n = 0;
          while (n < into.length) {
            const { bytesRead } = await fh.read(into, n, into.length - n, n);
            if (bytesRead === 0) bad(`${u.pathname} became shorter while it was read`, "error");
            n += bytesRead;
          }
        } finally {
          await fh.close();
        }
      } : undefined,
    };
  }
  const base = new URL(s, g.location?.href);
  const fetchFn = options.fetchFunc ?? ((u: string) => fetch(u));
  return {
    async read(path, max) {
      const u = path === "" ? base : new URL(path, base);
      let res: Response;
      try {
        res = await fetchFn(u.href);
      } catch (e) {
        bad(`fetching ${u.href} failed: ${(e as Error).message}`, "error");
      }
      if (!res.ok) bad(`fetching ${u.href}${path ? " (named by the weights manifest)" : ""} answered ${res.status} ${res.statusText}`, "error");
      const len = Number(res.headers?.get?.("content-length") ?? NaN);
      if (len > max) bad(`${u.href} has ${len} bytes, more than the ${max} expected`, "range");
      const b = new Uint8Array(await res.arrayBuffer());
      if (b.length > max) bad(`${u.href} has ${b.length} bytes, more than the ${max} expected`, "range");
      return b;
    },
  };
}

function pathToUrl(p: string, proc?: { cwd?: () => string }, deno?: { cwd?: () => string }): URL {
  const cwd = proc?.cwd?.() ?? deno?.cwd?.() ?? "/";
  const abs = p.startsWith("/") ? p : `${cwd.replace(/\/$/, "")}/${p}`;
  return new URL(`file://${abs.split("/").map(encodeURIComponent).join("/")}`);
}
