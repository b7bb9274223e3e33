/**
 * simdconv: convnet feature extraction (conv2d, ReLU, max pooling) in WebAssembly SIMD,
 * with TensorFlow.js's names and signatures.
 */
export {
  Tensor, tensor, scalar, tensor1d, tensor2d, tensor3d, tensor4d,
  tidy, keep, dispose, memory,
} from "./tensor.js";
export type { DataType, NestedArray, TensorLike, MemoryInfo, Rank, Tensor1D, Tensor3D, Tensor4D } from "./tensor.js";
export { conv2d, fused } from "./ops/conv2d.js";
export { createConv2d } from "./ops/create_conv2d.js";
export type { Conv2DOptions, Conv2DOperator } from "./ops/create_conv2d.js";
export type { Activation, DataFormat, FusedConv2DArgs } from "./ops/conv2d.js";
export { relu, relu6 } from "./ops/relu.js";
export { maxPool } from "./ops/max_pool.js";
export { avgPool } from "./ops/avg_pool.js";
export { matMul } from "./ops/mat_mul.js";
export type { FusedMatMulArgs } from "./ops/mat_mul.js";
export { sigmoid } from "./ops/sigmoid.js";
export { tanh } from "./ops/tanh.js";
export { elu, selu } from "./ops/elu.js";
export { leakyRelu } from "./ops/leaky_relu.js";
export { prelu } from "./ops/prelu.js";
export { softmax } from "./ops/softmax.js";
export { batchNorm } from "./ops/batch_norm.js";
export type { Padding, ExplicitPadding, DimRoundingMode } from "./ops/conv_util.js";
export { init, capabilities } from "./runtime.js";
export type { InitOptions, WasmSource } from "./loader/backend.js";
export type { Capabilities } from "./runtime.js";
export { setThreadsCount, getThreadsCount, shutdownThreads } from "./threads/threads.js";
export { sequential, LayersModel } from "./models/model.js";
export type { PredictConfig, SequentialArgs } from "./models/model.js";
export { layers } from "./models/layers.js";
export type { Layer, Shape } from "./models/layers.js";
export { loadLayersModel } from "./models/load.js";
export type { ModelArtifacts, IOHandler, ModelSource, LoadOptions, WeightsManifestEntry } from "./models/load.js";
