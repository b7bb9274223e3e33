// The wasm module's exports: one function per kernel, named datatype_op_[activation_]tile_isa.
export { f32_vclamp_simd } from "./f32-vclamp/f32_vclamp_simd";
export { f32_maxpool_nhwc_simd } from "./f32-maxpool/f32_maxpool_nhwc_simd";
export { f32_conv2d_nhwc_c1_minmax_w8_simd } from "./f32-conv2d/f32_conv2d_nhwc_c1_minmax_w8_simd";
export { f32_packw_hwio_x8 } from "./f32-packw/f32_packw_hwio_x8";
export { f32_gemm_minmax_4x8_splat_simd } from "./f32-gemm/f32_gemm_minmax_4x8_splat_simd";
export { f32_gemm_minmax_6x8_splat_simd } from "./f32-gemm/f32_gemm_minmax_6x8_splat_simd";
export { f32_gemm_minmax_4x8_splat2_simd } from "./f32-gemm/f32_gemm_minmax_4x8_splat2_simd";
export { f32_igemm_nhwc_minmax_4x8_splat_simd } from "./f32-igemm/f32_igemm_nhwc_minmax_4x8_splat_simd";
export { f32_igemm_nhwc_minmax_6x8_splat_simd } from "./f32-igemm/f32_igemm_nhwc_minmax_6x8_splat_simd";
export { f32_im2col_nhwc } from "./f32-im2col/f32_im2col_nhwc";
export { f32_winograd_2x2_3x3_packw_hwio_x8, f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd } from "./f32-winograd/f32_winograd_2x2_3x3";
export { f32_maxpool_2x2_nhwc_simd } from "./f32-maxpool/f32_maxpool_2x2_nhwc_simd";
