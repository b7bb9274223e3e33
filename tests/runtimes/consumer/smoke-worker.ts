// The README's Worker, plus a /smoke route that runs the smoke suite inside workerd.
import wasm from "simdconv/wasm/simdconv-simd.wasm";
import * as simdconv from "simdconv";
import readmeWorker from "./worker.js";
import { smoke } from "../smoke.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== "/smoke") return readmeWorker.fetch(request);
    try {
      await simdconv.init({ wasm });
      return Response.json({ passed: await smoke(simdconv) });
    } catch (e) {
      return Response.json({ error: String((e as Error).stack ?? e) }, { status: 500 });
    }
  },
};
