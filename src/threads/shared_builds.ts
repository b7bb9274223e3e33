/**
 * The -threads builds, embedded like the single-thread ones: the same kernels compiled to
 * import a shared memory. Keyed by the single-thread build each one replaces. They live in
 * src/loader/embedded.ts, next to their twins (see there why).
 */
import { embeddedThreadsBuilds } from "../loader/embedded.js";

export const threadsBuilds: Record<string, { name: string; base64: string }> = embeddedThreadsBuilds;
