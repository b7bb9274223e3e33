/** What every platform's `simdconv/image` exports. */
export { rasterToTensor, resizeRaster, newRaster, type Raster, type ChannelSelection, type ToTensorOptions } from "./raster.js";
export { tensorToRaster, COLORMAPS, DEFAULT_PERCENTILES, type ColormapName, type Normalization, type ToRasterOptions } from "./colormap.js";
export { featureMapGridRaster, kernelGridRaster, type FeatureMapGridOptions, type KernelGridOptions, type GridOptions } from "./grid.js";
export { kernelZoo, KERNEL_NAMES, parseKernel, resolveKernel, kernelTensor, type KernelValues, type ZooKernel } from "./kernels.js";
export { kernelRaster, kernelSvg, type KernelPictureOptions } from "./show_kernel.js";
export { extractFeatures, streamFeatures, featurePanels, contactSheet, mapDrawing, sameBorder, type ExtractOptions, type FeatureMaps, type Panel, type Step } from "./pipeline.js";
export { sampleScene } from "./sample.js";
