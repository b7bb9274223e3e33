/**
 * Helpers for the library's error messages, which name the parameter and say what was given
 * (TensorFlow.js's wording where it has one). The lowest layer: anything may import it.
 */

/** A short, safe rendering of a bad argument for an error message. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `array [${v.map((e) => (Array.isArray(e) ? "[…]" : String(e))).join(",")}]`;
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

/**
 * Out-of-memory errors from packing or scratch name the data (conv2d packed weights...); prefix
 * the op too. Messages in tfjs's words ("Error in conv2d: ...") already name it and stay as tfjs has them.
 */
export function namingOp(op: string, e: unknown): unknown {
  if (e instanceof RangeError && !e.message.startsWith(`${op}:`) && !e.message.startsWith("Error in ")) e.message = `${op}: ${e.message}`;
  return e;
}
