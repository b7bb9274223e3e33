/**
 * Resolution for running tfjs-core's own compiled specs unmodified: inside a spec file
 * (`*_test.js` in @tensorflow/tfjs-core/dist), `../index` is `tf.ts` (simdconv for the ops it
 * has, tfjs-core for the rest) and `../jasmine_util` is `jasmine_util.ts` (jasmine's
 * describeWithFlags over vitest). Everything else of tfjs-core is the real thing.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import type { Plugin } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
// Real path: node_modules may be a symlink, and importers arrive resolved.
export const coreDist = realpathSync(resolve(here, "../../node_modules/@tensorflow/tfjs-core/dist"));

export function tfjsSpecs(): Plugin {
  return {
    name: "simdconv-tfjs-specs",
    enforce: "pre",
    resolveId(id, importer) {
      if (!importer || !importer.includes("@tensorflow/tfjs-core/dist/")) return null;
      const target = resolve(dirname(importer), id).replace(/\.js$/, "");
      if (target === `${coreDist}/jasmine_util`) return resolve(here, "jasmine_util.ts");
      if (target === `${coreDist}/index` && importer.endsWith("_test.js")) return resolve(here, "tf.ts");
      return null;
    },
  };
}
