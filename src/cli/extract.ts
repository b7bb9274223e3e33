/// <reference types="node" />
/** The work behind `simdconv extract` and `simdconv demo`: images in, feature-map pictures out. */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, extname, join, relative } from "node:path";
import type { Tensor } from "../index.js";
import {
  contactSheet, decodeRaster, decodeRasterWithSharp, initCodecs, loadSharp, sniffFormat, encodeLevelsPngAsync, encodeRasterPng, hasAlpha, kernelRaster, kernelSvg, rasterToTensor, streamFeatures,
  type ColormapName, type KernelValues, type Normalization, type Panel, type ToRasterOptions,
} from "../image/node.js";
import { levelsToRaster, tensorToLevels } from "../image/colormap.js";
import { Progress } from "./progress.js";

export interface ExtractJob {
  images: string[];
  kernelName: string;
  kernel: KernelValues;
  relu: boolean;
  pool: number;
  stride: number;
  out: string;
  colormap: ColormapName;
  normalize: Normalization;
  /** Largest image decoded, in pixels (undefined: the library's default). */
  maxPixels?: number;
  /** Decode with the sharp package where it can be imported (faster; the portable decoders otherwise). Default false. */
  sharp?: boolean;
}

/** A problem with the whole run (not one image): reported once, exit status 1. */
export class RunError extends Error {}

/** Fails early, in words, when --out names a file or sits under one. */
export async function checkOut(out: string): Promise<void> {
  const found = await stat(out).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : e.code === "ENOTDIR" ? "under-file" : Promise.reject(e)));
  if (found === "under-file") throw new RunError(`--out ${display(out)}: part of this path is a file, not a folder`);
  if (found && !found.isDirectory()) throw new RunError(`--out ${display(out)} is a file, not a folder: choose another --out`);
}

/** Step name → file suffix; the panel labels double as file names. */
const FILE_OF_PANEL: Record<string, string> = { input: "input", filter: "filter", detect: "detect", condense: "condense" };

/** A file this run writes that could not be written: the message names it and says why. */
class OutputError extends Error {}

/** Why an output file could not be written, in words a user can act on. */
function writeReason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "EISDIR": return "a folder of that name is in the way";
    case "ENOTDIR": return "part of its path is a file, not a folder";
    case "ENOENT": return "its folder no longer exists";
    case "EACCES": case "EPERM": return "permission denied";
    case "EROFS": return "the file system is read-only";
    case "ENOSPC": case "EDQUOT": return "the disk is full";
    default: return e.code ?? e.message;
  }
}

/** writeFile for the run's outputs (maps, sheets, kernel pictures): one clear message naming the path. */
export async function writeOutput(file: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (e) {
    throw new OutputError(`cannot write ${display(file)}: ${writeReason(e as NodeJS.ErrnoException)}`);
  }
}

/** Why a file failed, in words a user can act on. */
function reason(e: unknown): string {
  if (e instanceof OutputError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ENOENT") return "no such file";
  if (err?.code === "EISDIR") return "is a directory, not an image";
  if (err?.code === "EACCES") return "permission denied";
  return err?.message ?? String(e);
}

/** A file stem not used yet in this run, so a/x.jpg and b/x.jpg do not overwrite each other. */
function uniqueStem(path: string, taken: Set<string>): string {
  const stem = basename(path, extname(path)) || "image";
  let s = stem;
  for (let i = 2; taken.has(s); i++) s = `${stem}-${i}`;
  taken.add(s);
  return s;
}

/** A path as the user would write it: relative when under the working folder. */
export function display(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith("..") ? r : p;
}
const ms = (t: number | undefined) => (t === undefined ? "" : `${t.toFixed(1)} ms`);

/** An image file as a gray [1, h, w, 1] tensor; says so when transparency was painted over white. */
async function readInput(path: string, job: ExtractJob, progress: Progress | undefined) {
  const say = (line: string, out: NodeJS.WritableStream = process.stderr) => (progress ? progress.note(line, out) : out.write(line + "\n"));
  const bytes = await readFile(path);
  const sharp = job.sharp ? await loadSharp() : undefined;
  // sharp declines (undefined) damaged files: the portable decoder then reads them, with its warnings.
  const raster = (sharp && (await decodeRasterWithSharp(sharp, bytes, { maxPixels: job.maxPixels }))) || decodeRaster(bytes, {
    maxPixels: job.maxPixels,
    onWarning: (m) => say(`simdconv: ${display(path)}: ${m}`),
  });
  // A JPEG has no alpha (both decoders fill it with 255): only a PNG's pixels need the scan.
  if (sniffFormat(bytes) === "png" && hasAlpha(raster)) say(`${display(path)}: has transparency; painted over white before filtering (the maps have no alpha)`, process.stdout);
  return rasterToTensor(raster, { channels: "gray", batch: true });
}

/** Height of the contact sheet's panels. */
const SHEET_HEIGHT = 240;

/** Runs the job; returns how many images failed. Per-image errors are reported and the batch goes on. */
export async function runExtract(job: ExtractJob): Promise<number> {
  try {
    await mkdir(job.out, { recursive: true });
  } catch (e) {
    throw new RunError(`--out ${display(job.out)}: cannot create the folder: ${writeReason(e as NodeJS.ErrnoException)}`);
  }
  await initCodecs();
  const progress = job.images.length > 1 ? new Progress(job.images.length) : undefined;
  const stems = new Set<string>();
  let failed = 0;
  for (const path of job.images) {
    try {
      const stem = uniqueStem(path, stems);
      // In its own function so the RGBA pixels can be collected as soon as the tensor holds them.
      const input = await readInput(path, job, progress);
      const [h, w] = input.shape.slice(1, 3);
      // Maps are drawn as they are made (streamFeatures frees each once the next exists): the
      // full-size levels go to their PNG file, a small copy to the contact sheet. Each file is
      // compressed in libuv's thread pool while the next map is computed; at most one per
      // step (four) are pending, all settled before the next image.
      const writes: Promise<void>[] = [];
      const draw = (label: string, t: Tensor, drawing: ToRasterOptions): Panel => {
        const levels = tensorToLevels(t, drawing)!;
        const suffix = FILE_OF_PANEL[label];
        if (suffix) {
          const file = join(job.out, `${stem}-${suffix}.png`);
          const write = encodeLevelsPngAsync(levels).then((bytes) => writeOutput(file, bytes));
          write.catch(() => {}); // reported below, once streamFeatures is done; never unhandled meanwhile
          writes.push(write);
        }
        return { label, raster: levelsToRaster(levels, SHEET_HEIGHT) };
      };
      const panels: Panel[] = [];
      let times: ReturnType<typeof streamFeatures>;
      let drawn = false;
      try {
        try {
          panels.push(draw("input", input, { colormap: "gray", normalize: [0, 1] }));
        } catch (e) {
          input.dispose();
          throw e;
        }
        const percentile = job.normalize === "percentile" || (typeof job.normalize === "object" && !Array.isArray(job.normalize));
        times = streamFeatures(input, { kernel: job.kernel, relu: job.relu, pool: job.pool, stride: job.stride }, (step, map, border) => {
          panels.push(draw(step, map, { colormap: job.colormap, normalize: job.normalize, border: percentile ? border : 0 }));
        });
        drawn = true;
      } finally {
        // Also when drawing failed: no compression outlives its image. A drawing error wins.
        const failure = (await Promise.allSettled(writes)).find((s): s is PromiseRejectedResult => s.status === "rejected");
        if (failure && drawn) throw failure.reason;
      }
      panels.push({ label: `kernel ${job.kernelName}`, raster: kernelRaster(job.kernel) });
      const sheet = join(job.out, `${stem}-sheet.png`);
      await writeOutput(sheet, encodeRasterPng(contactSheet(panels, { height: SHEET_HEIGHT, title: `${basename(path)} ${w}x${h}, kernel ${job.kernelName}` })));
      const t = times;
      const steps = [`filter ${ms(t.filter)}`, t.detect !== undefined && `detect ${ms(t.detect)}`, t.condense !== undefined && `condense ${ms(t.condense)}`];
      const line = `${display(path)} → ${display(sheet)} (+${writes.length} maps; ${steps.filter(Boolean).join(", ")})`;
      if (progress) progress.note(line, process.stdout);
      else console.log(line);
    } catch (e) {
      failed++;
      const line = `simdconv: ${display(path)}: ${reason(e)}`;
      if (progress) progress.note(line);
      else console.error(line);
    }
    progress?.tick(basename(path));
  }
  // The kernel's picture belongs with maps; a run where every image failed writes nothing.
  if (failed < job.images.length) {
    const kernelBase = join(job.out, `kernel-${job.kernelName}`);
    try {
      await writeOutput(`${kernelBase}.png`, encodeRasterPng(kernelRaster(job.kernel)));
      await writeOutput(`${kernelBase}.svg`, kernelSvg(job.kernel));
    } catch (e) {
      throw e instanceof OutputError ? new RunError(e.message) : e;
    }
    console.log(`kernel ${job.kernelName}: ${display(kernelBase)}.png, .svg`);
  }
  return failed;
}
