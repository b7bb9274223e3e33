/** The kernel zoo, and custom kernels from JSON. */
import { tensor, type Tensor } from "../index.js";

export type KernelValues = number[][];

export interface ZooKernel {
  name: string;
  description: string;
  values: KernelValues;
}

const zoo: ZooKernel[] = [
  { name: "edge", description: "The lesson's edge detector: bright where a pixel differs from its 8 neighbours", values: [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]] },
  { name: "outline", description: "4-neighbour Laplacian: thinner outlines than edge, blind to diagonals", values: [[0, -1, 0], [-1, 4, -1], [0, -1, 0]] },
  { name: "sobel-top", description: "Sobel: bright where the pixels above are brighter than those below", values: [[1, 2, 1], [0, 0, 0], [-1, -2, -1]] },
  { name: "sobel-bottom", description: "Sobel: bright where the pixels below are brighter than those above", values: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]] },
  { name: "sobel-left", description: "Sobel: bright where the pixels to the left are brighter than those to the right", values: [[1, 0, -1], [2, 0, -2], [1, 0, -1]] },
  { name: "sobel-right", description: "Sobel: bright where the pixels to the right are brighter than those to the left", values: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] },
  { name: "emboss", description: "Relief lit from the top left", values: [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]] },
  { name: "sharpen", description: "Boosts a pixel against its 4 neighbours; flat areas keep their value", values: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]] },
  { name: "blur-box", description: "Mean of the 3×3 neighbourhood", values: [[1, 1, 1], [1, 1, 1], [1, 1, 1]].map((r) => r.map((v) => v / 9)) },
  { name: "blur-gaussian", description: "Binomial 3×3 approximation of a Gaussian (σ ≈ 0.85)", values: [[1, 2, 1], [2, 4, 2], [1, 2, 1]].map((r) => r.map((v) => v / 16)) },
  { name: "identity", description: "Leaves the image as it is", values: [[0, 0, 0], [0, 1, 0], [0, 0, 0]] },
];

/** Every zoo kernel, by name. Copies, so callers may change them freely. */
export function kernelZoo(): ZooKernel[] {
  return zoo.map((k) => ({ ...k, values: k.values.map((r) => r.slice()) }));
}

export const KERNEL_NAMES: readonly string[] = zoo.map((k) => k.name);

/**
 * Parses a kernel written as JSON rows, e.g. `[[0,-1,0],[-1,5,-1],[0,-1,0]]`. Throws a
 * TypeError for bad JSON or non-numbers and a RangeError for ragged or empty rows.
 */
export function parseKernel(json: string): KernelValues {
  if (typeof json !== "string") throw new TypeError(`kernel must be a JSON string, got ${typeof json}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new TypeError(`kernel is not valid JSON (${(e as Error).message}); write rows like [[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]`);
  }
  return checkKernel(parsed);
}

/** Checks a kernel given as rows of numbers; returns a copy. */
export function checkKernel(rows: unknown): KernelValues {
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every(Array.isArray)) {
    throw new TypeError("kernel must be a non-empty array of rows, e.g. [[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]");
  }
  const width = rows[0].length;
  if (width === 0) throw new RangeError("kernel rows must not be empty");
  rows.forEach((row: unknown[], i) => {
    if (row.length !== width) {
      throw new RangeError(`kernel is ragged: row ${i} has ${row.length} values, row 0 has ${width}`);
    }
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new TypeError(`kernel[${i}][${j}] must be a finite number, got ${JSON.stringify(v)}`);
      }
    });
  });
  return rows.map((r: number[]) => r.slice());
}

/** A zoo name or a JSON kernel, as { name, values }. Unknown names throw a RangeError listing the zoo. */
export function resolveKernel(nameOrJson: string): { name: string; values: KernelValues } {
  const text = String(nameOrJson).trim();
  if (text.startsWith("[")) return { name: "custom", values: parseKernel(text) };
  const found = zoo.find((k) => k.name === text.toLowerCase());
  if (!found) throw new RangeError(`unknown kernel ${JSON.stringify(text)}; known: ${KERNEL_NAMES.join(", ")}, or JSON rows`);
  return { name: found.name, values: found.values.map((r) => r.slice()) };
}

/** A kernel as an HWIO filter [kh, kw, 1, 1] for conv2d. */
export function kernelTensor(values: KernelValues): Tensor {
  const rows = checkKernel(values);
  return tensor(rows.flat(), [rows.length, rows[0].length, 1, 1]);
}
