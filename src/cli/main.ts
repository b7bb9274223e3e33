#!/usr/bin/env node
/// <reference types="node" />
/** The `simdconv` command: extract feature maps from images, run the demo, or print help. */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { capabilities } from "../index.js";
import { COLORMAPS, encodeJpeg, kernelZoo, resolveKernel, sampleScene, type ColormapName, type Normalization } from "../image/node.js";
import { checkOut, display, runExtract, writeOutput, type ExtractJob } from "./extract.js";
import { MODEL_HELP, ModelUsageError, modelJob, runModel } from "./model.js";

const HELP = `simdconv: convnet feature extraction (filter, detect, condense) in WebAssembly SIMD

Usage:
  simdconv extract <image…> [options]   feature maps of your PNG/JPEG images
  simdconv demo [--out DIR]             the lesson's pipeline on the bundled sample photo
  simdconv kernels                      list the kernel zoo
  simdconv model summary|features|kernels <model.json> …
                                        inspect a TF.js Layers model (simdconv model --help)
  simdconv <command> --help             help for one command
  simdconv --version                    the version
`;

const EXTRACT_HELP = `simdconv extract <image…> [options]

Converts each image to grayscale in [0, 1], filters it with conv2d (SAME padding), and
writes the input, each feature map and a contact sheet as PNG. The kernel's picture is
written once per run (kernel-NAME.png and .svg).

Options:
  --kernel NAME|JSON     a zoo kernel (see \`simdconv kernels\`) or rows as JSON,
                         e.g. '[[0,-1,0],[-1,5,-1],[0,-1,0]]'   (default: edge)
  --relu                 detect: apply ReLU to the filtered map
  --pool N               condense: N×N max pooling, stride N   (default: none)
  --stride S             conv2d stride                          (default: 1)
  --colormap gray|magma  colours of the feature maps            (default: magma)
  --normalize MODE       how map values become colours          (default: percentile)
                           percentile       0.5th to 99.5th percentile, measured
                                            inside the frame SAME padding makes
                           percentile:P,Q   other percentiles, e.g. percentile:1,99
                           minmax           each map's own minimum and maximum
                           fixed:LO,HI      a fixed range, e.g. fixed:0,4
  --out DIR              output folder                          (default: simdconv-out)
  --max-pixels N         refuse images larger than N pixels     (default: 100000000)
  --no-sharp             decode with the portable decoders even where the sharp
                         package can be imported (so does SIMDCONV_SHARP=0)
  -h, --help             this help

The lesson's full pipeline is: simdconv extract photo.jpg --relu --pool 2
Exit status: 0 when every image worked, 1 when some failed (the others still run),
2 for a usage error.
`;

const DEMO_HELP = `simdconv demo [--out DIR]

Draws the bundled sample photo (a street scene with a car, generated in code), saves it as
sample.jpg, and runs the lesson's pipeline on it: the edge kernel, ReLU, 2×2 max pooling.

Options:
  --out DIR    output folder (default: simdconv-demo)
  -h, --help   this help
`;

/** A mistake in the command line: reported with a pointer to help, exit status 2. */
class UsageError extends Error {}

/** The value of --normalize as the library's option. */
export function parseNormalize(text: string): Normalization {
  const [mode, args] = text.split(":", 2);
  const pair = () => {
    const parts = (args ?? "").split(",").map((v) => (v.trim() === "" ? NaN : Number(v)));
    return parts.length === 2 && parts.every(Number.isFinite) ? (parts as [number, number]) : undefined;
  };
  if (mode === "minmax" && args === undefined) return "minmax";
  if (mode === "percentile" && args === undefined) return "percentile";
  if (mode === "percentile") {
    const p = pair();
    if (p && p[0] >= 0 && p[1] <= 100 && p[1] > p[0]) return { percentile: p };
    throw new UsageError(`--normalize percentile:P,Q needs 0 <= P < Q <= 100, got '${text}'`);
  }
  if (mode === "fixed") {
    const p = pair();
    if (p && p[1] > p[0]) return p;
    throw new UsageError(`--normalize fixed:LO,HI needs numbers LO < HI, got '${text}'`);
  }
  throw new UsageError(`--normalize must be percentile, percentile:P,Q, minmax or fixed:LO,HI, got '${text}'`);
}

function maxPixelsOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-pixels must be a positive integer, got '${value}'`);
  return n;
}

/** The package's version, from the package.json next to dist/. */
function version(): string {
  return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
}

function intOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 1024) throw new UsageError(`--${name} must be an integer from ${min} to 1024, got '${value}'`);
  return n;
}

type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

function parse(args: string[], options: OptionSpec, allowPositionals: boolean): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function extract(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    kernel: { type: "string" }, relu: { type: "boolean" }, pool: { type: "string" }, stride: { type: "string" },
    out: { type: "string" }, colormap: { type: "string" }, normalize: { type: "string" }, "max-pixels": { type: "string" },
    "no-sharp": { type: "boolean" },
  }, true);
  if (values.help) return void process.stdout.write(EXTRACT_HELP), 0;
  if (positionals.length === 0) throw new UsageError("extract needs at least one image");
  const colormap = (values.colormap as string | undefined) ?? "magma";
  if (!COLORMAPS.includes(colormap as ColormapName)) throw new UsageError(`--colormap must be ${COLORMAPS.join(" or ")}, got '${colormap}'`);
  let kernel;
  try {
    kernel = resolveKernel((values.kernel as string | undefined) ?? "edge");
  } catch (e) {
    throw new UsageError(`--kernel: ${(e as Error).message}`);
  }
  const job: ExtractJob = {
    images: positionals,
    kernelName: kernel.name,
    kernel: kernel.values,
    relu: Boolean(values.relu),
    pool: intOption(values.pool as string | undefined, "pool", 0, 1),
    stride: intOption(values.stride as string | undefined, "stride", 1, 1),
    out: (values.out as string | undefined) ?? "simdconv-out",
    colormap: colormap as ColormapName,
    normalize: parseNormalize((values.normalize as string | undefined) ?? "percentile"),
    maxPixels: maxPixelsOption(values["max-pixels"] as string | undefined),
    sharp: !values["no-sharp"] && process.env.SIMDCONV_SHARP !== "0",
  };
  await checkOut(job.out);
  return (await runExtract(job)) > 0 ? 1 : 0;
}

async function demo(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: "string" } }, false);
  if (values.help) return void process.stdout.write(DEMO_HELP), 0;
  const out = (values.out as string | undefined) ?? "simdconv-demo";
  const caps = capabilities();
  console.log(`simdconv demo: wasm build ${caps.build}, SIMD ${caps.simd ? "on" : "off"}, ` +
    `threads ${caps.threads ? `on (${caps.threadsCount})` : `off${caps.reasonThreadsOff ? ` (${caps.reasonThreadsOff})` : ""}`}`);
  await checkOut(out);
  await mkdir(out, { recursive: true });
  const photo = join(out, "sample.jpg");
  await writeOutput(photo, encodeJpeg(sampleScene(), { quality: 92 }));
  console.log(`sample photo: ${display(photo)}`);
  const edge = resolveKernel("edge");
  const failed = await runExtract({
    images: [photo], kernelName: edge.name, kernel: edge.values, relu: true, pool: 2, stride: 1, out, colormap: "magma", normalize: "percentile",
  });
  if (!failed) console.log(`Open ${display(join(out, "sample-sheet.png"))} to see image → filter → detect → condense.`);
  return failed ? 1 : 0;
}

function kernels(args: string[]): number {
  const { values } = parse(args, {}, false);
  if (values.help) return void process.stdout.write("simdconv kernels\n\nLists the kernel zoo: name, description and values.\n"), 0;
  for (const k of kernelZoo()) {
    console.log(`${k.name.padEnd(14)} ${k.description}\n${" ".repeat(15)}${JSON.stringify(k.values.map((r) => r.map((v) => Number(v.toFixed(4)))))}`);
  }
  return 0;
}

async function model(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    layer: { type: "string" }, out: { type: "string" }, "max-maps": { type: "string" }, colormap: { type: "string" },
  }, true);
  if (values.help) return void process.stdout.write(MODEL_HELP), 0;
  let job;
  try {
    job = modelJob(positionals, values);
  } catch (e) {
    throw e instanceof ModelUsageError ? new UsageError(e.message) : e;
  }
  return (await runModel(job)) > 0 ? 1 : 0;
}

/**
 * Node 20 has relaxed SIMD (fused multiply-add) behind a flag that Node 22 turns on by default.
 * The CLI is a process of its own, so it sets the flag before the first wasm compile and runs
 * the relaxed build, as Node 22 would (convs 1.2–1.6× faster: docs/performance.md). The flag
 * only lets the engine validate the relaxed build; SIMDCONV_RELAXED=0 keeps the plain one.
 * Deno and Bun choose their own engine flags.
 */
function preferRelaxedSimd(): void {
  const p = globalThis.process;
  const major = Number(p?.versions?.node?.split(".")[0]);
  if (p?.env?.SIMDCONV_RELAXED === "0" || p?.versions?.bun || "Deno" in globalThis || !(major >= 16 && major < 22)) return;
  try {
    setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    // An engine without the flag keeps the plain build.
  }
}

export async function main(argv: string[]): Promise<number> {
  preferRelaxedSimd();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "extract": return await extract(rest);
      case "demo": return await demo(rest);
      case "kernels": return kernels(rest);
      case "model": return await model(rest);
      case "--version": case "-v":
        console.log(`simdconv ${version()}`);
        return 0;
      case undefined: case "help": case "-h": case "--help":
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`simdconv: ${e.message}\nRun 'simdconv ${command && command !== "help" && !command.startsWith("-") && ["extract", "demo", "kernels", "model"].includes(command) ? command + " " : ""}--help' for usage.`);
      return 2;
    }
    console.error(`simdconv: ${(e as Error)?.message ?? e}`);
    return 1;
  }
}

// `simdconv kernels | head`: a reader that closes the pipe early ends the run quietly, as other commands do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}
process.exitCode = await main(process.argv.slice(2));
