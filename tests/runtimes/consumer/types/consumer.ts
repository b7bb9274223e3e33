// Compiled by the type test with `strict`: simdconv's declarations as a consumer sees them
// through the exports map. The @ts-expect-error lines fail the build if a type decays to any.
import * as tf from "simdconv";
import { conv2d, fused, init, maxPool, relu, relu6, tensor, tidy, type Capabilities, type Tensor } from "simdconv";
import wasm from "simdconv/wasm/simdconv-simd.wasm";
import { readImage, writePng, kernelTensor, resolveKernel } from "simdconv/image";

const module: WebAssembly.Module = wasm;

export async function main(): Promise<number[]> {
  const caps: Capabilities = await init({ wasm: module });
  const flags: boolean[] = [caps.simd, caps.relaxedSimd, caps.threads];
  await init(new URL("https://example.com/simdconv-simd.wasm"));
  await init(new Uint8Array(8));
  const x: Tensor = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  const w = tf.tensor4d([1], [1, 1, 1, 1]);
  const y = tidy(() => relu6(relu(conv2d(x, w, 1, "same", "NHWC", [1, 1]))));
  const z = fused.conv2d({ x, filter: w, strides: [1, 1], pad: [[0, 0], [1, 1], [0, 0], [0, 0]], activation: "relu", bias: [0.5] });
  const p = maxPool(z, [2, 2], 1, "valid", "floor");
  const shape: number[] = p.shape;
  const data: Float32Array = y.dataSync();
  tf.dispose([x, w, y, z, p]);
  const info: { numTensors: number; numBytes: number } = tf.memory();
  // @ts-expect-error activation is a union of names
  fused.conv2d({ x, filter: w, strides: 1, pad: "same", activation: "gelu" });
  // @ts-expect-error pad is 'same', 'valid', a number or explicit pads, not any string
  conv2d(x, w, 1, "sane");
  // @ts-expect-error conv2d needs strides and pad
  conv2d(x, w);
  // @ts-expect-error dataSync returns a Float32Array
  const wrong: string = x.dataSync();
  const photo: Tensor = await readImage("photo.png", { channels: "gray", batch: true });
  await writePng("edges.png", conv2d(photo, kernelTensor(resolveKernel("edge").values), 1, "same"));
  return [...shape, ...data, info.numTensors, flags.length, wrong.length];
}
