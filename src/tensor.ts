/**
 * Tensors: float32 data in the wasm memory, with TensorFlow.js's surface.
 *
 * A Tensor holds a reference to a Storage (one heap block). `reshape` shares the storage,
 * so it is freed when the last tensor over it is disposed. Every new tensor is recorded
 * in the innermost `tidy` scope.
 */
import { backend } from "./loader/backend.js";
import { Heap } from "./memory/heap.js";
import { describe } from "./errors.js";
import { formatTensor } from "./tensor_format.js";

export type Rank = number;
export type DataType = "float32";
export type NestedArray = number | NestedArray[];
export type TensorLike = Float32Array | ArrayLike<number> | NestedArray[] | number;

/**
 * How to compute a deferred result (relu, maxPool), in rows that can be computed alone.
 * Ops defer their output so that reading it back (dataSync) can compute it a chunk at a time
 * and copy each chunk out while it is still in cache: the full result is then never written
 * to memory and read back again. Any other use computes it into its block first (`all`).
 */
export interface DeferredJob {
  rows: number;
  rowFloats: number;
  /** Computes rows [r0, r1) to `dst`, the address where row r0 goes. */
  run(dst: number, r0: number, r1: number): void;
  /** Computes every row into the block at `dst` (worker threads may share this). */
  all(dst: number): void;
}

/** One heap block, shared by a tensor and its reshapes. */
class Storage {
  refs = 1;
  /** Run when the block is freed: releases data derived from it (packed conv weights). */
  onFree: (() => void)[] = [];
  /** Set while the contents are deferred; `sources` are the blocks the job reads. */
  pending: { job: DeferredJob; sources: Storage[] } | null = null;
  /** Deferred blocks that read this one: computed before this one is freed or handed out writable. */
  readers: Set<Storage> | null = null;
  /**
   * The buffer under the last writable `view()` handed out. While that view can still write
   * (its ArrayBuffer is not detached by growth; a SharedArrayBuffer never is), ops reading
   * this block compute at once instead of deferring, so later writes never reach their result.
   */
  viewedBuffer: ArrayBufferLike | null = null;
  constructor(
    readonly heap: Heap,
    readonly ptr: number,
    readonly byteLength: number,
  ) {}
}

let nextId = 0;
let numTensors = 0;
let numBytes = 0;
const scopes: Set<Tensor>[] = [];

export class Tensor {
  readonly id: number;
  readonly shape: number[];
  readonly size: number;
  readonly dtype: DataType = "float32";
  /** @internal */
  storage: Storage | null;

  /** @internal Use `tensor()` to make tensors. */
  constructor(storage: Storage, shape: number[]) {
    this.id = nextId++;
    this.storage = storage;
    this.shape = shape;
    this.size = sizeOf(shape);
    numTensors++;
    scopes[scopes.length - 1]?.add(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.storage === null;
  }

  /** @internal Address of the data in wasm memory (computed if deferred); throws if disposed. */
  ptr(name = "tensor", op?: string): number {
    const s = this.storage;
    if (!s) throw new TypeError(`${op ? op + ": " : ""}${name} is disposed`);
    if (s.pending) materialize(s);
    return s.ptr;
  }

  /** A copy of the values. */
  dataSync(): Float32Array {
    const s = this.storage;
    if (s?.pending && allocUnsafeSlow) return readDeferred(s, this.size);
    const p = this.ptr("tensor", "dataSync") >>> 2;
    // Constructing from a view copies about 1.6x faster than TypedArray.slice in V8
    // (12.8 MB: 1.4 vs 2.3 ms; docs/performance.md, "Read-back"); the result is the same copy.
    return new Float32Array(this.storage!.heap.f32.subarray(p, p + this.size));
  }

  /** The values, as a Promise (TensorFlow.js's async read; here it is never slower). */
  data(): Promise<Float32Array> {
    try {
      return Promise.resolve(this.dataSync());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The values as nested arrays shaped like the tensor. */
  arraySync(): NestedArray {
    return toNested(this.dataSync(), this.shape);
  }

  array(): Promise<NestedArray> {
    try {
      return Promise.resolve(this.arraySync());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * A zero-copy Float32Array over the tensor's data in wasm memory. It is valid until the
   * next call that allocates (any op or `tensor()`), because growing the memory detaches
   * the buffer it points into (it then reads as empty, never as stale numbers), and until
   * the tensor is disposed, after which the block is reused. Call `view()` again rather
   * than keeping one.
   */
  view(): Float32Array {
    const p = this.ptr("tensor", "view");
    // The caller may write through the view: deferred results that read it are computed first,
    // and later ops on it compute at once while the view can still write.
    const s = this.storage!;
    materializeReaders(s);
    const buffer = s.heap.memory.buffer;
    s.viewedBuffer = buffer;
    return new Float32Array(buffer, p, this.size);
  }

  /** A tensor of another shape over the same data (no copy); -1 infers one dimension. */
  reshape(shape: number[]): Tensor {
    this.ptr("tensor", "reshape");
    const s = inferShape(shape, this.size, "shape");
    this.storage!.refs++;
    return new Tensor(this.storage!, s);
  }

  /** An independent copy. */
  clone(): Tensor {
    // Check before allocating: a disposed source must throw the usual TypeError, not leak a copy.
    const src = this.ptr("tensor", "clone");
    const t = empty(this.shape.slice(), "clone");
    t.storage!.heap.u8.copyWithin(t.storage!.ptr, src, src + this.size * 4);
    return t;
  }

  /** Frees the data (once its reshapes are disposed too). Safe to call twice. */
  dispose(): void {
    const s = this.storage;
    if (!s) return;
    this.storage = null;
    numTensors--;
    if (--s.refs === 0) {
      materializeReaders(s);
      if (s.pending) forget(s);
      for (const release of s.onFree.splice(0)) release();
      s.heap.free(s.ptr, s.byteLength, "tensor");
      numBytes -= s.byteLength;
    }
  }

  /** tfjs's text form; long axes show their first and last 3 entries. */
  toString(verbose = false): string {
    if (!this.storage) return `Tensor (disposed) shape [${this.shape}]`;
    return formatTensor(this.dataSync(), this.shape, verbose);
  }

  print(verbose = false): void {
    console.log(this.toString(verbose));
  }
}

export type Tensor1D = Tensor;
export type Tensor3D = Tensor;
export type Tensor4D = Tensor;

function sizeOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * @internal Defers `out`'s contents to `job`, which reads the blocks of `sources` (live,
 * computed tensors). When a source may still be written through a `view()`, the job runs now:
 * a deferred result must equal the op's value when it returned, as in TensorFlow.js.
 */
export function defer(out: Tensor, sources: Tensor[], job: DeferredJob): void {
  const s = out.storage!;
  if (sources.some((t) => writableView(t.storage!))) {
    job.all(s.ptr);
    return;
  }
  s.pending = { job, sources: sources.map((t) => t.storage!) };
  for (const src of s.pending.sources) (src.readers ??= new Set()).add(s);
}

/**
 * @internal The address of `t`'s data for an op that writes it in place (an activation pass):
 * computed if deferred, and deferred results that read it computed first. Unlike view(), it
 * does not count as a view the caller may write through.
 */
export function writablePtr(t: Tensor, name: string, op: string): number {
  const p = t.ptr(name, op);
  materializeReaders(t.storage!);
  return p;
}

/** @internal Whether a tensor's contents are still deferred (for tests). */
export function isDeferred(t: Tensor): boolean {
  return !!t.storage?.pending;
}

/** Whether a `view()` of the block may still write to it (a detached ArrayBuffer cannot). */
function writableView(s: Storage): boolean {
  const b = s.viewedBuffer;
  if (!b) return false;
  if (b.byteLength > 0 || (typeof SharedArrayBuffer !== "undefined" && b instanceof SharedArrayBuffer)) return true;
  s.viewedBuffer = null;
  return false;
}

function forget(s: Storage): void {
  for (const src of s.pending!.sources) src.readers!.delete(s);
  s.pending = null;
}

function materialize(s: Storage): void {
  const { job } = s.pending!;
  forget(s);
  job.all(s.ptr);
}

function materializeReaders(s: Storage): void {
  if (s.readers) for (const r of [...s.readers]) materialize(r);
}

/** Node's and Bun's uninitialised allocation; browsers' ArrayBuffers are zero-filled. */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow?: (n: number) => Uint8Array } }).Buffer;
const allocUnsafeSlow = typeof NodeBuffer?.allocUnsafeSlow === "function" ? (n: number) => NodeBuffer.allocUnsafeSlow!(n) : null;

/** Floats per chunk of a deferred read-back: 256 KB, well inside one core's L2. */
const CHUNK_FLOATS = 65536;

/**
 * Reads a deferred result back without writing it to its block in full: a chunk of rows is
 * computed into the start of the block and copied out while in cache. This only pays with an
 * uninitialised result array (Node, Bun): filling a zeroed one touches every page twice,
 * which costs more than it saves (docs/performance.md, "Read-back"), so elsewhere the result is
 * computed in place and copied as usual.
 */
function readDeferred(s: Storage, size: number): Float32Array {
  const { job } = s.pending!;
  const bytes = allocUnsafeSlow!(size * 4);
  const out = new Float32Array(bytes.buffer, bytes.byteOffset, size);
  const f32 = s.heap.f32;
  const base = s.ptr >>> 2;
  const step = Math.max(1, Math.floor(CHUNK_FLOATS / job.rowFloats));
  for (let r0 = 0; r0 < job.rows; r0 += step) {
    const r1 = Math.min(job.rows, r0 + step);
    job.run(s.ptr, r0, r1);
    out.set(f32.subarray(base, base + (r1 - r0) * job.rowFloats), r0 * job.rowFloats);
  }
  return out;
}

/** @internal A new tensor with undefined contents. */
export function empty(shape: number[], what: string): Tensor {
  const size = sizeOf(shape);
  const heap = backend().heap;
  const byteLength = size * 4;
  if (!Number.isSafeInteger(byteLength) || !heap.canAllocate(byteLength)) {
    throw heap.outOfMemory(`${what}: shape [${shape}]`, byteLength);
  }
  const ptr = heap.alloc(byteLength, what, "tensor");
  numBytes += byteLength;
  return new Tensor(new Storage(heap, ptr, byteLength), shape);
}

function checkShape(shape: unknown, name: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${name} must be an array of dimensions, got ${describe(shape)}`);
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`${name} must hold non-negative integers, got [${shape}]`);
    }
  }
  return shape.slice();
}

function inferShape(shape: number[], size: number, name: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${name} must be an array of dimensions, got ${describe(shape)}`);
  const s = shape.slice();
  const unknown = s.indexOf(-1);
  if (unknown >= 0) {
    if (s.indexOf(-1, unknown + 1) >= 0) throw new RangeError(`${name} may hold only one -1, got [${shape}]`);
    const rest = sizeOf(s.filter((_, i) => i !== unknown));
    if (rest === 0 || size % rest !== 0) {
      throw new RangeError(`${name} [${shape}] cannot hold ${size} values`);
    }
    s[unknown] = size / rest;
  }
  checkShape(s, name);
  if (sizeOf(s) !== size) throw new RangeError(`${name} [${shape}] holds ${sizeOf(s)} values, the tensor has ${size}`);
  return s;
}

/** Flattens nested arrays, checking they are rectangular; returns the values and the shape. */
function flatten(values: NestedArray[], name: string): { flat: number[]; shape: number[] } {
  const shape: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const flat: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== "number") throw new TypeError(`${name} must hold numbers, found ${describe(v)}`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new RangeError(`${name} is ragged: expected an array of length ${shape[depth]} at depth ${depth}`);
    }
    for (const e of v) walk(e, depth + 1);
  };
  walk(values, 0);
  return { flat, shape };
}

/** simdconv holds float32 only: any other dtype is refused, never converted. */
function checkDtype(dtype: unknown, fn: string): void {
  if (dtype != null && dtype !== "float32") {
    throw new TypeError(`${fn}: dtype must be 'float32', got ${describe(dtype)}`);
  }
}


function nonNull(values: unknown): void {
  if (values == null) throw new TypeError("The input to the tensor constructor must be a non-null value.");
}

/** The dtype tfjs would give booleans or strings (simdconv has only float32), else undefined. */
function otherDtype(v: unknown): string | undefined {
  while (Array.isArray(v) && v.length) v = v[0];
  return typeof v === "boolean" ? "bool" : typeof v === "string" ? "string" : undefined;
}

/** The values and their nesting; booleans and strings are refused (they would make non-float32 tensors). */
function readValues(values: unknown, fn: string, dtype: unknown): { flat: ArrayLike<number>; inferred: number[] } {
  nonNull(values);
  checkDtype(dtype, fn);
  if (typeof values === "number") return { flat: [values], inferred: [] };
  // (tfjs would make bool or string tensors of booleans and strings; simdconv has only float32.)
  const bad = (what: unknown) => new TypeError(`${fn}: values must be numbers, an array of numbers or a TypedArray, got ${what}`);
  if (typeof values === "boolean" || typeof values === "string") throw bad(otherDtype(values));
  if (ArrayBuffer.isView(values)) {
    if (values instanceof DataView || values instanceof BigInt64Array || values instanceof BigUint64Array) {
      throw bad(values.constructor.name);
    }
    // A view over the wasm memory (another tensor's view()) is copied out first: the
    // allocation below may grow the memory, which would detach it.
    const flat = values.buffer === backend().heap.memory.buffer ? (values as Float32Array).slice() : (values as unknown as ArrayLike<number>);
    return { flat, inferred: [flat.length] };
  }
  if (Array.isArray(values)) {
    const f = flatten(values as NestedArray[], "values");
    return { flat: f.flat, inferred: f.shape };
  }
  throw bad(describe(values));
}

function make(flat: ArrayLike<number>, inferred: number[], shape: unknown): Tensor {
  let s: number[];
  if (shape == null) s = inferred;
  else {
    s = checkShape(shape, "shape");
    if (sizeOf(s) !== flat.length) {
      throw new RangeError(`Based on the provided shape, [${s}], the tensor should have ${sizeOf(s)} values but has ${flat.length}`);
    }
  }
  const t = empty(s, "tensor");
  t.storage!.heap.f32.set(flat, t.storage!.ptr >>> 2);
  return t;
}

/**
 * Creates a float32 tensor (tfjs's `tf.tensor(values, shape?, dtype?)`). `values` is a
 * Float32Array (or any numeric typed array), a flat number array or nested arrays; it is copied
 * into wasm memory. `shape` defaults to the nesting; `dtype` may only be 'float32'.
 */
export function tensor(values: TensorLike, shape?: number[], dtype?: DataType): Tensor {
  const { flat, inferred } = readValues(values, "tensor", dtype);
  return make(flat, inferred, shape);
}

/** A rank-0 tensor (tfjs's `tf.scalar(value, dtype?)`). */
export function scalar(value: number, dtype?: DataType): Tensor {
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new TypeError("Error creating a new Scalar: value must be a primitive (number|boolean|string)");
  }
  return make(readValues(value, "scalar", dtype).flat, [], []);
}

/** A rank-1 tensor (tfjs's `tf.tensor1d(values, dtype?)`). */
export function tensor1d(values: TensorLike, dtype?: DataType): Tensor {
  const { flat, inferred } = readValues(values, "tensor1d", dtype);
  if (inferred.length !== 1) throw new RangeError("tensor1d() requires values to be a flat/TypedArray");
  return make(flat, inferred, undefined);
}

/** tensor2d/3d/4d (tfjs's `tf.tensorNd(values, shape?, dtype?)`): nested values, or flat ones with a shape. */
function rankedTensor(rank: 2 | 3 | 4) {
  const fn = `tensor${rank}d`;
  return (values: TensorLike, shape?: number[], dtype?: DataType): Tensor => {
    nonNull(values);
    if (shape != null && shape.length !== rank) throw new RangeError(`${fn}() requires shape to have ${["two", "three", "four"][rank - 2]} numbers`);
    const { flat, inferred } = readValues(values, fn, dtype);
    const r = inferred.length;
    if (r !== rank && r !== 1) throw new RangeError(`${fn}() requires values to be number${"[]".repeat(rank)} or flat/TypedArray`);
    if (r === 1 && shape == null) throw new RangeError(`${fn}() requires shape to be provided when \`values\` are a flat/TypedArray`);
    return make(flat, inferred, shape);
  };
}
export const tensor2d = rankedTensor(2);
export const tensor3d = rankedTensor(3);
export const tensor4d = rankedTensor(4);

function toNested(data: Float32Array, shape: number[]): NestedArray {
  if (shape.length === 0) return data[0];
  const build = (offset: number, dim: number): NestedArray[] => {
    const n = shape[dim];
    const out: NestedArray[] = new Array(n);
    if (dim === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = data[offset + i];
      return out;
    }
    let stride = 1;
    for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
    for (let i = 0; i < n; i++) out[i] = build(offset + i * stride, dim + 1);
    return out;
  };
  return build(0, 0);
}

/**
 * @internal Turns an op's tensor argument into a live Tensor, or throws naming it, in tfjs's
 * words (convertToTensor). Booleans and strings, which tfjs turns into bool and string tensors,
 * get tfjs's dtype message since simdconv has only float32.
 */
export function toTensor(v: unknown, name: string, op: string): { t: Tensor; owned: boolean } {
  if (v instanceof Tensor) {
    v.ptr(name, op);
    return { t: v, owned: false };
  }
  const arg = `Argument '${name}' passed to '${op}' must be`;
  const dtype = otherDtype(v);
  if (dtype) throw new TypeError(`${arg} float32 tensor, but got ${dtype} tensor`);
  if (typeof v === "number" || Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    return { t: tensor(v as TensorLike), owned: true };
  }
  throw new TypeError(`${arg} a Tensor or TensorLike, but got '${v == null ? "null" : ((v as object).constructor?.name ?? "Object")}'`);
}

/**
 * Runs `fn` and disposes every tensor it made except those in its result (a tensor, or
 * an array or object of tensors). Tensors kept by `keep()` survive too.
 */
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === "function" ? nameOrFn : maybeFn;
  if (typeof fn !== "function") throw new TypeError("tidy: fn must be a function");
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T | undefined;
  try {
    result = fn();
  } finally {
    scopes.pop();
    // When fn throws nothing is returned, so everything it made is disposed (as in tfjs).
    const kept = new Set<Tensor>();
    collectTensors(result, kept);
    const parent = scopes[scopes.length - 1];
    for (const t of scope) {
      if (kept.has(t) || keptForever.has(t)) parent?.add(t);
      else t.dispose();
    }
  }
  if (result instanceof Promise) {
    throw new TypeError("tidy: fn must be synchronous; it returned a Promise");
  }
  return result as T;
}

const keptForever = new WeakSet<Tensor>();

/** Keeps a tensor made inside `tidy` from being disposed by it. */
export function keep<T extends Tensor>(t: T): T {
  keptForever.add(t);
  return t;
}

function collectTensors(v: unknown, out: Set<Tensor>, depth = 0): void {
  if (v instanceof Tensor) out.add(v);
  else if (depth < 8 && Array.isArray(v)) for (const e of v) collectTensors(e, out, depth + 1);
  // Any object's own fields, class instances included, as tfjs walks containers.
  else if (depth < 8 && v && typeof v === "object" && !ArrayBuffer.isView(v)) {
    for (const e of Object.values(v)) collectTensors(e, out, depth + 1);
  }
}

/** Disposes a tensor, or every tensor in an array or object. */
export function dispose(container: unknown): void {
  const all = new Set<Tensor>();
  collectTensors(container, all);
  for (const t of all) t.dispose();
}

export interface MemoryInfo {
  /** Live tensors (a reshape counts as its own tensor, as in TensorFlow.js). */
  numTensors: number;
  /** Bytes of tensor data held (shared storage counted once). */
  numBytes: number;
  /** Size of the wasm memory: it grows on demand and never shrinks. */
  wasmBytes: number;
}

export function memory(): MemoryInfo {
  return { numTensors, numBytes, wasmBytes: backend().heap.wasmBytes };
}
