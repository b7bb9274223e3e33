/// <reference types="node" />
/** `simdconv model summary|features|kernels`: inspect a TF.js Layers model's layers, feature maps and kernels. */
import { mkdir, readFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { dispose, loadLayersModel, tensor, type LayersModel } from "../index.js";
import {
  COLORMAPS, decodeRaster, encodeRasterPng, featureMapGrid, kernelGrid, kernelRaster, rasterToTensor, resizeRaster,
  tensorToRaster, type ColormapName,
} from "../image/node.js";
import { checkOut, writeOutput } from "./extract.js";
import { Progress } from "./progress.js";

export const MODEL_HELP = `simdconv model <summary|features|kernels> <model.json> [options]

Inspects a TF.js Layers model (model.json and its .bin shards beside it, as tfjs model.save()
or tensorflowjs_converter writes them).

  simdconv model summary <model.json>
      the layers, their output shapes and parameter counts
  simdconv model features <model.json> <image…> --layer NAME [--out DIR] [--max-maps N]
      runs each image through the model and writes the layer's feature maps, one PNG per
      channel and a sheet of them (images are resized to the model's input size if it has one)
  simdconv model kernels <model.json> --layer NAME [--out DIR] [--max-maps N]
      writes the layer's kernels: as small RGB pictures when they read 3 channels, else
      each kernel's first input channel with its values

Options:
  --layer NAME           the layer (see \`simdconv model summary\`)
  --out DIR              output folder                      (default: simdconv-model)
  --max-maps N           channels or kernels to write       (default: 16)
  --colormap gray|magma  colours of the feature maps        (default: magma)
  -h, --help             this help

Exit status: 0 when every image worked, 1 when some failed (the others still run),
2 for a usage error.
`;

export class ModelUsageError extends Error {}

interface ModelJob {
  sub: string;
  modelPath: string;
  images: string[];
  layer?: string;
  out: string;
  maxMaps: number;
  colormap: ColormapName;
}

export function modelJob(positionals: string[], values: Record<string, string | boolean | undefined>): ModelJob {
  const [sub, modelPath, ...images] = positionals;
  if (!["summary", "features", "kernels"].includes(sub)) throw new ModelUsageError(`model needs summary, features or kernels, got '${sub ?? ""}'`);
  if (!modelPath) throw new ModelUsageError(`model ${sub} needs the model.json path`);
  if (sub === "features" && images.length === 0) throw new ModelUsageError("model features needs at least one image");
  if (sub !== "features" && images.length) throw new ModelUsageError(`model ${sub} takes one model.json, got also ${images.join(", ")}`);
  if (sub !== "summary" && !values.layer) throw new ModelUsageError(`model ${sub} needs --layer NAME`);
  const maxMaps = values["max-maps"] === undefined ? 16 : Number(values["max-maps"]);
  if (!Number.isInteger(maxMaps) || maxMaps < 1 || maxMaps > 4096) throw new ModelUsageError(`--max-maps must be an integer from 1 to 4096, got '${values["max-maps"]}'`);
  const colormap = (values.colormap as string | undefined) ?? "magma";
  if (!COLORMAPS.includes(colormap as ColormapName)) throw new ModelUsageError(`--colormap must be ${COLORMAPS.join(" or ")}, got '${colormap}'`);
  return { sub, modelPath, images, layer: values.layer as string | undefined, out: (values.out as string | undefined) ?? "simdconv-model", maxMaps, colormap: colormap as ColormapName };
}

/** Runs the job; returns how many images failed. */
export async function runModel(job: ModelJob): Promise<number> {
  if (job.sub !== "summary") await checkOut(job.out); // before the model loads: a bad --out fails at once
  const model = await loadLayersModel(job.modelPath);
  try {
    if (job.sub === "summary") {
      model.summary();
      return 0;
    }
    const layer = model.getLayer(job.layer);
    await mkdir(job.out, { recursive: true });
    if (job.sub === "kernels") return await kernels(model, job);
    return await features(model, job, layer.name);
  } finally {
    model.dispose();
  }
}

async function features(model: LayersModel, job: ModelJob, layer: string): Promise<number> {
  const progress = new Progress(job.images.length);
  const [, h, w] = model.inputShape;
  let failed = 0;
  for (const path of job.images) {
    const stem = basename(path, extname(path)) || "image";
    try {
      let raster = decodeRaster(new Uint8Array(await readFile(path)));
      if (typeof h === "number" && typeof w === "number" && (raster.width !== w || raster.height !== h)) raster = resizeRaster(raster, w, h);
      const x = rasterToTensor(raster, { channels: model.inputShape[3] === 1 ? "gray" : "rgb" });
      let maps;
      try {
        [maps] = model.predict(x, { outputs: [layer] });
      } finally {
        x.dispose();
      }
      try {
        if (maps.rank !== 3) throw new RangeError(`layer '${layer}' gives shape [${maps.shape}], not feature maps [h, w, channels]`);
        const channels = Array.from({ length: Math.min(job.maxMaps, maps.shape[2]) }, (_, c) => c);
        for (const c of channels) {
          await writeOutput(join(job.out, `${stem}-${layer}-${c}.png`), encodeRasterPng(tensorToRaster(maps, { channel: c, colormap: job.colormap })));
        }
        // The sheet is simdconv/image's featureMapGrid, as the web page draws it.
        await writeOutput(join(job.out, `${stem}-${layer}.png`), featureMapGrid(maps, { channels, colormap: job.colormap }));
      } finally {
        maps.dispose();
      }
      progress.tick(stem);
    } catch (e) {
      failed++;
      progress.note(`simdconv: ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`, process.stderr);
      progress.tick(stem);
    }
  }
  return failed;
}

async function kernels(model: LayersModel, job: ModelJob): Promise<number> {
  const layer = model.getLayer(job.layer);
  const weights = layer.getWeights();
  try {
    const k = weights[0];
    if (!k || k.rank !== 4) throw new RangeError(`layer '${layer.name}' (${layer.getClassName()}) has no conv kernel [kh, kw, in, out]`);
    const [kh, kw, ci, co] = k.shape;
    const v = k.dataSync();
    // The first kernels, as the library draws them (kernelGrid): RGB pictures when they read
    // 3 channels, else each kernel's first input channel.
    const n = Math.min(job.maxMaps, co);
    const cin = ci === 3 ? 3 : 1;
    const slice = (o0: number, o1: number) => {
      const out = new Float32Array(kh * kw * cin * (o1 - o0));
      for (let p = 0; p < kh * kw; p++) for (let i = 0; i < cin; i++) for (let o = o0; o < o1; o++) out[(p * cin + i) * (o1 - o0) + o - o0] = v[(p * ci + i) * co + o];
      return tensor(out, [kh, kw, cin, o1 - o0]);
    };
    for (let o = 0; o < n; o++) {
      let png: Uint8Array;
      if (ci === 3) {
        const t = slice(o, o + 1);
        try {
          png = kernelGrid(t, { labels: false, gap: 0, cellSize: 48 });
        } finally {
          t.dispose();
        }
      } else {
        const rows = Array.from({ length: kh }, (_, y) => Array.from({ length: kw }, (_, x) => v[((y * kw + x) * ci) * co + o]));
        png = encodeRasterPng(kernelRaster(rows, { digits: 2 }));
      }
      await writeOutput(join(job.out, `kernel-${layer.name}-${o}.png`), png);
    }
    const all = slice(0, n);
    try {
      await writeOutput(join(job.out, `kernels-${layer.name}.png`), kernelGrid(all, { labels: Array.from({ length: n }, (_, o) => String(o)), columns: Math.min(n, 8) }));
    } finally {
      all.dispose();
    }
    console.log(`wrote ${n} kernels of ${layer.name} (${co} kernels ${kh}x${kw}x${ci}) to ${job.out}`);
    return 0;
  } finally {
    dispose(weights);
  }
}
