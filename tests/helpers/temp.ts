/**
 * Temporary folders for tests, all under the run's folder (tests/helpers/temp-root.ts), which
 * vitest removes at the end, so a run leaves nothing in the system's temp folder. Outside vitest
 * there is one folder per process, removed when it exits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let base: string | undefined;

export function tempDir(prefix: string): string {
  if (!base) base = process.env.SIMDCONV_TEST_TMP;
  if (!base) {
    const dir = mkdtempSync(join(tmpdir(), "simdconv-test-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    base = dir;
  }
  return mkdtempSync(join(base, `${prefix}-`));
}
