/**
 * The -threads build that replaces a running single-thread build when threads start, derived
 * from the embedded bytes of its twin (shared_twin.ts says why that is exact).
 */
import { embeddedBuilds } from "../loader/embedded.js";
import { sharedTwin } from "./shared_twin.js";

export function threadsBuild(build: string): { name: string; bytes: Uint8Array } | undefined {
  const twin = embeddedBuilds.find((b) => b.name === build);
  if (!twin) return undefined;
  const name = `${build}-threads`;
  return { name, bytes: sharedTwin(twin.bytes(), name) };
}
