/**
 * The shared-memory builds of an entry that embeds no wasm (main's workerd entry swaps this
 * in for shared_builds.ts): Workers have no threads, so the base64 would be dead weight.
 */
export const threadsBuilds: Record<string, { name: string; base64: string }> = {};
