// A one-node ONNX model (Conv, NCHW input, OIHW weights, SAME padding), encoded by hand so
// the peer benchmark needs no model files and no protobuf library.

function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const key = (field, wire) => varint(field * 8 + wire);
const int = (field, v) => [...key(field, 0), ...varint(v)];
const bytes = (field, b) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field, s) => bytes(field, [...new TextEncoder().encode(s)]);

function tensorType(shape) {
  const dims = shape.flatMap((d) => bytes(1, int(1, d)));
  return bytes(1, [...int(1, 1), ...bytes(2, dims)]); // tensor_type { elem_type FLOAT, shape }
}
const valueInfo = (name, shape) => [...str(1, name), ...bytes(2, tensorType(shape))];

/** Conv with `weights` (OIHW Float32Array) as an initializer; x is the only input. */
export function convModel(xShape, wShape, weights, pads) {
  const attr = (name, ints) => [...str(1, name), ...ints.flatMap((v) => int(8, v)), ...int(20, 7)];
  const node = [
    ...str(1, "x"), ...str(1, "w"), ...str(2, "y"), ...str(4, "Conv"),
    ...bytes(5, attr("pads", pads)), ...bytes(5, attr("strides", [1, 1])),
    ...bytes(5, attr("kernel_shape", wShape.slice(2))),
  ];
  const initializer = [
    ...wShape.flatMap((d) => int(1, d)), ...int(2, 1), ...str(8, "w"),
    ...bytes(9, [...new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)]),
  ];
  const yShape = [xShape[0], wShape[0], xShape[2], xShape[3]];
  const graph = [
    ...bytes(1, node), ...str(2, "conv"), ...bytes(5, initializer),
    ...bytes(11, valueInfo("x", xShape)), ...bytes(12, valueInfo("y", yShape)),
  ];
  return new Uint8Array([...int(1, 8), ...bytes(8, int(2, 13)), ...bytes(7, graph)]);
}
