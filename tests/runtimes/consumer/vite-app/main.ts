// An app built by `vite build`: simdconv imported as a dependency, the smoke suite run on load.
import * as simdconv from "simdconv";
import { smoke } from "../../smoke.ts";

const report = (result: unknown): void => {
  (globalThis as { smokeResult?: unknown }).smokeResult = result;
};
smoke(simdconv).then(
  (passed) => report({ passed }),
  (e: Error) => report({ error: String(e.stack ?? e) }),
);
