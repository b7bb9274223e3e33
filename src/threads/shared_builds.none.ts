/**
 * The shared-memory builds of an entry that embeds no wasm (main's workerd entry swaps this
 * in for shared_builds.ts): Workers have no threads.
 */
export function threadsBuild(_build: string): { name: string; bytes: Uint8Array } | undefined {
  return undefined;
}
