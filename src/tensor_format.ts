/**
 * `Tensor.toString()` in tfjs's layout, so printed output and snapshot tests carry over: a
 * `Tensor` header, values indented four spaces, columns padded to their widest value, and an
 * axis longer than 20 shown as its first 3 and last 3 entries around "..." (a 1M-element
 * tensor prints a few lines, not megabytes).
 */

const MAX_SHOWN = 20;
const EDGE = 3;
const DIGITS = 7;

const num = (v: number): string => String(parseFloat(v.toFixed(DIGITS)));

export function formatTensor(values: Float32Array, shape: readonly number[], verbose: boolean): string {
  const head = ["Tensor"];
  if (verbose) head.push("  dtype: float32", `  rank: ${shape.length}`, `  shape: [${shape}]`, "  values:");
  const cols = shape.length > 1 ? shape[shape.length - 1] : 0;
  // Widths over every row, shown or not, as tfjs pads them.
  const width = new Array<number>(cols).fill(0);
  for (let i = 0; i < values.length && cols > 0; i++) {
    const len = num(values[i]).length;
    if (len > width[i % cols]) width[i % cols] = len;
  }
  const lines = block(values, 0, shape, 0, width, true);
  return [...head, lines.map((l) => "    " + l).join("\n")].join("\n");
}

/** The lines of the sub-tensor at `offset` spanning shape.slice(axis). */
function block(
  v: Float32Array, offset: number, shape: readonly number[], axis: number, width: number[], last: boolean,
): string[] {
  const rank = shape.length - axis;
  if (rank === 0) return [v[offset].toString()];
  const n = shape[axis];
  const cell = (i: number) => num(v[offset + i]).padEnd(width[i] ?? 0);
  if (rank === 1) {
    const shown = n > MAX_SHOWN ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    return ["[" + shown.map((i) => (i < 0 ? "..." : cell(i))).join(", ") + "]"];
  }
  let stride = 1;
  for (let a = axis + 1; a < shape.length; a++) stride *= shape[a];
  const rows = n > MAX_SHOWN ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
  const lines: string[] = [];
  for (const i of rows) {
    if (i < 0) lines.push("...");
    else lines.push(...block(v, offset + i * stride, shape, axis + 1, width, i === n - 1));
  }
  const sep = rank === 2 ? "," : "";
  lines[0] = "[" + (n > 0 ? lines[0] + sep : "");
  for (let i = 1; i < lines.length - 1; i++) lines[i] = " " + lines[i] + sep;
  lines[lines.length - 1] = " " + lines[lines.length - 1] + "]" + (last ? "" : ",\n" + "\n".repeat(rank - 2));
  return lines;
}

function range(a: number, b: number): number[] {
  const r: number[] = [];
  for (let i = a; i < b; i++) r.push(i);
  return r;
}
