/**
 * vitest's global setup: one temporary folder for the whole run, handed to the test processes
 * through SIMDCONV_TEST_TMP and removed at the end (tests/helpers/temp.ts makes folders in it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "simdconv-test-"));
  process.env.SIMDCONV_TEST_TMP = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
