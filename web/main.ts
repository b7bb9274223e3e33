/**
 * The web page: the lesson's pipeline on a picked or uploaded image, redrawn on every
 * change. All work happens here in the page; the dev server only serves files.
 */
import { capabilities, init, loadLayersModel, type LayersModel } from "../src/index.js";
import {
  extractFeatures, featureMapGrid, featurePanels, kernelGrid, kernelZoo, rasterToTensor, resizeRaster, sampleScene, showKernel,
  toCanvas, toRaster, type ColormapName, type Raster,
} from "../src/image/browser.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const zoo = kernelZoo();
/** Uploads larger than this are shrunk, so typing in the grid stays interactive. */
const MAX_SIDE = 1024;

const state = {
  source: sampleScene() as Raster,
  kernel: zoo[0].values,
  relu: true,
  pool: 2,
  colormap: "magma" as ColormapName,
};

function showCapabilities(): void {
  const c = capabilities();
  const flag = (on: boolean) => `<b class="${on ? "on" : "off"}">${on ? "on" : "off"}</b>`;
  $("caps").innerHTML =
    `SIMD ${flag(c.simd)} · relaxed SIMD ${flag(c.relaxedSimd)} · threads ${flag(c.threads)}` +
    (c.threads ? ` (${c.threadsCount})` : c.reasonThreadsOff ? ` (${escapeHtml(c.reasonThreadsOff)})` : "") +
    ` · build <code>${escapeHtml(c.build)}</code>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Bright bars four rows thick on black: the synthetic input the page's tests check pixel by pixel. */
function barsImage(width = 64, height = 48): Raster {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const v = y % 12 >= 4 && y % 12 < 8 ? 255 : 0;
    for (let x = 0; x < width; x++) data.set([v, v, v, 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

function fitted(r: Raster): Raster {
  const scale = Math.min(1, MAX_SIDE / Math.max(r.width, r.height));
  return scale < 1 ? resizeRaster(r, Math.round(r.width * scale), Math.round(r.height * scale)) : r;
}

let renders = 0;
function render(): void {
  const input = rasterToTensor(state.source, { channels: "gray", batch: true });
  const maps = extractFeatures(input, { kernel: state.kernel, relu: state.relu, pool: state.pool });
  try {
    // The same pictures, with the same default normalisation, as the CLI's and the demo's.
    const panels = new Map(featurePanels(input, maps, { kernelName: "", kernel: state.kernel, colormap: state.colormap }).map((p) => [p.label, p.raster]));
    toCanvas(panels.get("input")!, $<HTMLCanvasElement>("image"));
    for (const id of ["filter", "detect", "condense"]) drawOptional(id, panels.get(id));
    showKernel(state.kernel, { canvas: $<HTMLCanvasElement>("kernel-picture"), cellSize: 48 });
    const ms = (t?: number) => (t === undefined ? "skipped" : `${t.toFixed(2)} ms`);
    $("time-image").textContent = `${state.source.width}×${state.source.height}`;
    $("time-filter").textContent = ms(maps.times.filter);
    $("time-detect").textContent = ms(maps.times.detect);
    $("time-condense").textContent = ms(maps.times.condense);
  } finally {
    for (const t of [input, maps.filtered, maps.detected, maps.condensed]) t?.dispose();
  }
  document.body.dataset.renders = String(++renders);
  renderModel();
}

/** Feature maps drawn per layer at most: a deep layer has hundreds. */
const MAX_MAPS = 16;
let model: LayersModel | undefined;
let modelRenders = 0;

/** The chosen layer's kernels and its feature maps for the current image. */
function renderModel(): void {
  const layerName = $<HTMLSelectElement>("layer").value;
  if (!model || !layerName) return;
  const error = $("model-error");
  error.textContent = "";
  const layer = model.getLayer(layerName);
  const weights = layer.getWeights();
  try {
    const kernels = weights[0]?.rank === 4 ? weights[0] : undefined;
    const kernelCanvas = $<HTMLCanvasElement>("model-kernels");
    if (kernels) kernelGrid(kernels, { canvas: kernelCanvas, columns: 8 });
    else kernelCanvas.getContext("2d")!.clearRect(0, 0, kernelCanvas.width, kernelCanvas.height);
    $("model-kernels").closest("figure")!.querySelector("figcaption")!.textContent =
      kernels ? `${layerName}'s kernels [${kernels.shape}]` : `${layerName} has no kernels`;
    // The image as the model takes it: its channels (gray or RGB) and, when fixed, its size.
    const [, h, w, c] = model.inputShape;
    const raster = h && w && (h !== state.source.height || w !== state.source.width) ? resizeRaster(state.source, w, h) : state.source;
    const x = rasterToTensor(raster, { channels: c === 1 ? "gray" : "rgb", batch: true });
    const t0 = performance.now();
    try {
      const [y] = model.predict(x, { outputs: [layerName] });
      const ms = performance.now() - t0;
      try {
        if (y.rank === 4) {
          const maps = Math.min(MAX_MAPS, y.shape[3]);
          featureMapGrid(y, { canvas: $<HTMLCanvasElement>("model-features"), channels: Array.from({ length: maps }, (_, i) => i), colormap: state.colormap });
          $("time-model").textContent = `${ms.toFixed(2)} ms · [${y.shape}], ${maps} of ${y.shape[3]} maps`;
        } else {
          $("time-model").textContent = `${ms.toFixed(2)} ms · [${y.shape}]: not an image, no maps`;
        }
      } finally {
        y.dispose();
      }
    } finally {
      x.dispose();
    }
  } catch (err) {
    error.textContent = (err as Error).message;
  } finally {
    for (const t of weights) t.dispose();
  }
  document.body.dataset.modelRenders = String(++modelRenders);
}

/** Loads the chosen model.json and .bin files and lists its layers. */
async function chooseModel(files: FileList): Promise<void> {
  const error = $("model-error");
  const select = $<HTMLSelectElement>("layer");
  try {
    const next = await loadLayersModel(files);
    model?.dispose();
    model = next;
  } catch (err) {
    error.textContent = (err as Error).message;
    document.body.dataset.modelRenders = String(++modelRenders);
    return;
  }
  select.replaceChildren(...model.layers.map((l) => new Option(`${l.name} (${l.className})`, l.name)));
  select.disabled = false;
  // The first layer with kernels, as a start.
  select.value = (model.layers.find((l) => l.getClassName() === "Conv2D") ?? model.layers[0]).name;
  $("model-info").textContent = `${model.name}: ${model.layers.length} layers, ${model.countParams()} parameters, input [${model.inputShape.map((d) => d ?? "null")}]`;
  $("model-view").hidden = false;
  renderModel();
}

function drawOptional(id: string, picture: Raster | undefined): void {
  const canvas = $<HTMLCanvasElement>(id);
  if (picture) toCanvas(picture, canvas);
  else canvas.getContext("2d")!.clearRect(0, 0, canvas.width, canvas.height);
}

/** Rebuilds the grid of inputs from state.kernel. */
function fillGrid(): void {
  const grid = $("grid");
  const n = state.kernel.length;
  grid.style.gridTemplateColumns = `repeat(${n}, max-content)`;
  grid.replaceChildren(
    ...state.kernel.flatMap((row, i) =>
      row.map((v, j) => {
        const cell = document.createElement("input");
        cell.type = "text";
        cell.inputMode = "decimal";
        cell.value = String(Number(v.toFixed(4)));
        cell.dataset.row = String(i);
        cell.dataset.col = String(j);
        cell.setAttribute("aria-label", `kernel row ${i + 1} column ${j + 1}`);
        return cell;
      }),
    ),
  );
  ($("size") as HTMLSelectElement).value = String(n);
}

function onGridInput(e: Event): void {
  const cell = e.target as HTMLInputElement;
  const v = cell.value.trim() === "" ? NaN : Number(cell.value);
  cell.classList.toggle("invalid", !Number.isFinite(v));
  if (!Number.isFinite(v)) {
    $("kernel-error").textContent = `row ${Number(cell.dataset.row) + 1}, column ${Number(cell.dataset.col) + 1}: "${cell.value}" is not a number`;
    return;
  }
  state.kernel[Number(cell.dataset.row)][Number(cell.dataset.col)] = v;
  if (!$("grid").querySelector(".invalid")) $("kernel-error").textContent = "";
  ($("kernel") as HTMLSelectElement).value = "custom";
  $("kernel-description").textContent = "Your own kernel.";
  render();
}

/** A kernel of side n: the old one centred in zeros (growing) or its centre (shrinking). */
function resized(k: number[][], n: number): number[][] {
  const off = (k.length - n) / 2;
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => k[i + off]?.[j + off] ?? 0));
}

function setup(): void {
  const kernelSelect = $<HTMLSelectElement>("kernel");
  kernelSelect.append(...zoo.map((k) => new Option(k.name, k.name)), new Option("custom (edit the grid)", "custom"));
  $("kernel-description").textContent = zoo[0].description;
  kernelSelect.addEventListener("change", () => {
    const k = zoo.find((z) => z.name === kernelSelect.value);
    if (!k) return;
    state.kernel = k.values.map((r) => r.slice());
    $("kernel-description").textContent = k.description;
    $("kernel-error").textContent = "";
    fillGrid();
    render();
  });
  $("size").addEventListener("change", (e) => {
    state.kernel = resized(state.kernel, Number((e.target as HTMLSelectElement).value));
    kernelSelect.value = "custom";
    fillGrid();
    render();
  });
  $("grid").addEventListener("input", onGridInput);
  $("source").addEventListener("change", (e) => {
    state.source = (e.target as HTMLSelectElement).value === "bars" ? barsImage() : sampleScene();
    render();
  });
  $("upload").addEventListener("change", async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      state.source = fitted(toRaster(bitmap));
      bitmap.close();
      $("kernel-error").textContent = "";
      render();
    } catch (err) {
      $("kernel-error").textContent = `cannot read ${file.name}: ${(err as Error).message}`;
    }
  });
  $("relu").addEventListener("change", (e) => ((state.relu = (e.target as HTMLInputElement).checked), render()));
  $("pool").addEventListener("change", (e) => ((state.pool = Number((e.target as HTMLSelectElement).value)), render()));
  $("model-files").addEventListener("change", (e) => {
    const files = (e.target as HTMLInputElement).files;
    if (files?.length) void chooseModel(files);
  });
  $("layer").addEventListener("change", renderModel);
  $("colormap").addEventListener("change", (e) => ((state.colormap = (e.target as HTMLSelectElement).value as ColormapName), render()));
  fillGrid();
}

// Served cross-origin isolated (as `npm run web` does), the page may share memory with workers:
// one thread per core. Elsewhere it runs on one thread and the header says why.
if (globalThis.crossOriginIsolated) await init({ threads: "auto" });
showCapabilities();
setup();
render();
