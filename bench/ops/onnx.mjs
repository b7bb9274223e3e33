// A minimal ONNX (protobuf) writer: just enough to encode a one-node Conv, Relu or MaxPool
// model for onnxruntime-web, so the bench needs no .onnx files and no protobuf library.
// Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, ...).

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // int64 negatives are 10-byte two's complement
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** One protobuf message under construction; fields are appended in the order written. */
class Message {
  bytes = [];
  key(field, wire) {
    this.bytes.push(...varint((field << 3) | wire));
    return this;
  }
  int(field, v) {
    return this.key(field, WIRE_VARINT).push(varint(v));
  }
  float(field, v) {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.key(field, WIRE_FIXED32).push(b);
  }
  bytesField(field, data) {
    return this.key(field, WIRE_LEN).push(varint(data.length)).push(data);
  }
  string(field, s) {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  message(field, m) {
    return this.bytesField(field, m.bytes);
  }
  push(arr) {
    for (const b of arr) this.bytes.push(b);
    return this;
  }
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

function attribute(name, value) {
  const a = new Message().string(1, name);
  if (typeof value === "string") a.bytesField(4, new TextEncoder().encode(value)).int(20, ATTR_STRING);
  else if (Array.isArray(value)) {
    for (const v of value) a.int(8, v);
    a.int(20, ATTR_INTS);
  } else if (Number.isInteger(value)) a.int(3, value).int(20, ATTR_INT);
  else a.float(2, value).int(20, ATTR_FLOAT);
  return a;
}

function tensorProto(name, dims, data) {
  const t = new Message();
  for (const d of dims) t.int(1, d);
  t.int(2, FLOAT).string(8, name);
  return t.bytesField(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function valueInfo(name, dims) {
  const shape = new Message();
  for (const d of dims) shape.message(1, new Message().int(1, d));
  const tensorType = new Message().int(1, FLOAT).message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

/**
 * A model: `nodes` = [{ op, inputs, outputs, attrs }], `initializers` = [{ name, dims, data }],
 * `inputs`/`outputs` = [{ name, dims }]. Returns the serialised ModelProto bytes.
 */
export function onnxModel({ nodes, initializers = [], inputs, outputs, opset = 13 }) {
  const graph = new Message();
  for (const n of nodes) {
    const node = new Message();
    for (const i of n.inputs) node.string(1, i);
    for (const o of n.outputs) node.string(2, o);
    node.string(3, n.outputs[0] + "_node").string(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) node.message(5, attribute(k, v));
    graph.message(1, node);
  }
  graph.string(2, "bench");
  for (const t of initializers) graph.message(5, tensorProto(t.name, t.dims, t.data));
  for (const v of inputs) graph.message(11, valueInfo(v.name, v.dims));
  for (const v of outputs) graph.message(12, valueInfo(v.name, v.dims));
  const model = new Message()
    .int(1, 8) // ir_version
    .string(2, "simdconv-bench")
    .message(7, graph)
    .message(8, new Message().string(1, "").int(2, opset));
  return new Uint8Array(model.bytes);
}
