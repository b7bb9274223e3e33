/**
 * init()'s sources and the errors users meet when the wasm goes missing. Each vitest file
 * gets fresh modules, and nothing here runs an op before init(), so the source given to
 * init() is the one that loads (a failed init can be retried).
 */
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capabilities, conv2d, init, tensor } from "../../src/index.js";

const DEV_SERVER_PAGE = "<!DOCTYPE html>\n<html><head><title>My app</title></head><body><div id=app></div></body></html>";
const wasmBytes = readFileSync(new URL("../../build/simdconv-simd.wasm", import.meta.url));

let server: Server;
let origin: string;
beforeAll(async () => {
  // A dev server whose fallback answers every unknown path with the app's HTML, plus one real .wasm.
  server = createServer((req, res) => {
    if (req.url === "/simdconv-simd.wasm") res.writeHead(200, { "content-type": "application/wasm" }).end(wasmBytes);
    else if (req.url === "/gone.wasm") res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    else res.writeHead(200, { "content-type": "text/html" }).end(DEV_SERVER_PAGE);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  origin = `http://127.0.0.1:${port}`;
});
afterAll(() => server.close());

describe("init() refuses what is not wasm and says how to fix it", () => {
  it("an HTML page in a Response", async () => {
    const res = new Response(DEV_SERVER_PAGE, { headers: { "content-type": "text/html" } });
    const err = await init({ wasm: res }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/is not WebAssembly: it starts with "<!DOCTYPE html> <html><head>/);
    expect((err as Error).message).toMatch(/content-type text\/html/);
    expect((err as Error).message).toMatch(/HTML page.*dev server/);
    expect((err as Error).message).toMatch(/without a wasm option to use the embedded build/);
  });

  it("HTML bytes", async () => {
    await expect(init(new TextEncoder().encode(DEV_SERVER_PAGE))).rejects.toThrow(/the bytes given to init\(\) is not WebAssembly.*HTML page/);
  });

  it("a URL that a dev server answers with its index page", async () => {
    await expect(init(`${origin}/node_modules/simdconv/build/simdconv-simd.wasm`)).rejects.toThrow(
      new RegExp(`${origin}/node_modules/simdconv/build/simdconv-simd.wasm \\(content-type text/html\\) is not WebAssembly.*HTML page`),
    );
  });

  it("a URL that answers 404", async () => {
    await expect(init(new URL("/gone.wasm", origin))).rejects.toThrow(/gone\.wasm answered 404/);
  });

  it("a relative path where there is no page to resolve it against", async () => {
    await expect(init("simdconv-simd.wasm")).rejects.toThrow(/wasm "simdconv-simd.wasm" is not a URL.*absolute URL/);
  });

  it("something that is no wasm source at all, with a TypeError naming wasm", async () => {
    await expect(init({ wasm: 42 as never })).rejects.toThrow(TypeError);
    await expect(init({ wasm: 42 as never })).rejects.toThrow(/wasm must be a WebAssembly.Module.*got 42/);
  });
});

describe("after the failures", () => {
  it("loads from a URL that serves the real .wasm, and the ops run", async () => {
    const caps = await init({ wasm: new URL("/simdconv-simd.wasm", origin) });
    expect(caps.build).toBe("simd");
    expect(capabilities().build).toBe("simd");
    const y = conv2d(tensor([1, 2, 3, 4], [1, 2, 2, 1]), tensor([2], [1, 1, 1, 1]), 1, "valid");
    expect(Array.from(y.dataSync())).toEqual([2, 4, 6, 8]);
  });
});
