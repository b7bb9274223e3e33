/**
 * Plumbing for the runtime tests: the consumer project that depends on simdconv through its
 * exports map, child processes, the Worker bundle and a workerd server on 127.0.0.1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, existsSync, readFileSync, statSync, writeFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { basename, extname, join, normalize } from "node:path";
import { createInterface } from "node:readline";
import { build, type Plugin } from "esbuild";

export const root = new URL("../../", import.meta.url).pathname;
export const consumer = join(root, "tests/runtimes/consumer");
export const bin = (name: string): string => join(root, "node_modules/.bin", name);

/** Links consumer/node_modules/simdconv to the repository, as `npm install` of the package would. */
export function linkConsumer(): void {
  const link = join(consumer, "node_modules/simdconv");
  if (existsSync(link)) return;
  mkdirSync(join(consumer, "node_modules"), { recursive: true });
  symlinkSync(root, link, "dir");
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `simdconv-${prefix}-`));
}

/** Runs a command to completion; rejects with its stderr when it fails. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? consumer, env: { ...process.env, ...opts.env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${basename(cmd)} ${args.join(" ")} exited with ${code}:\n${err}\n${out}`));
    });
  });
}

/** The last line a program printed, parsed as JSON. */
export function lastJson(stdout: string): unknown {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/**
 * Bundles a Worker the way wrangler does: esbuild with the workerd conditions, and each
 * `.wasm` import left as a module of its own beside the bundle. Returns the directory.
 */
export async function bundleWorker(entry: string): Promise<{ dir: string; wasmModules: string[] }> {
  const dir = tempDir("worker");
  const wasmModules: string[] = [];
  const wasmAsModule: Plugin = {
    name: "wasm-as-module",
    setup(b) {
      b.onResolve({ filter: /\.wasm$/ }, async (args) => {
        if (args.pluginData === "inner") return undefined; // let esbuild resolve through the exports map
        const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: "inner" });
        if (resolved.errors.length) return undefined;
        const name = basename(resolved.path);
        copyFileSync(resolved.path, join(dir, name));
        if (!wasmModules.includes(name)) wasmModules.push(name);
        return { path: `./${name}`, external: true };
      });
    },
  };
  await build({
    entryPoints: [entry],
    outfile: join(dir, "worker.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    plugins: [wasmAsModule],
    logLevel: "warning",
  });
  return { dir, wasmModules };
}

/**
 * Starts workerd on 127.0.0.1 with an OS-chosen port (read back from its control fd) serving
 * the bundled Worker. `stop()` ends it.
 */
export async function startWorkerd(worker: { dir: string; wasmModules: string[] }): Promise<{ url: string; stop(): void }> {
  const modules = [
    `(name = "worker.js", esModule = embed "worker.js")`,
    ...worker.wasmModules.map((m) => `(name = "${m}", wasm = embed "${m}")`),
  ];
  writeFileSync(
    join(worker.dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = "2025-01-01",
);
`,
  );
  const child: ChildProcess = spawn(bin("workerd"), ["serve", "config.capnp", "--control-fd=3"], {
    cwd: worker.dir,
    stdio: ["ignore", "inherit", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const stop = () => {
    child.kill();
    rmSync(worker.dir, { recursive: true, force: true });
  };
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`workerd did not start:\n${stderr}`)), 30_000);
    child.on("exit", (code) => reject(new Error(`workerd exited with ${code}:\n${stderr}`)));
    createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).on("line", (line) => {
      const event = JSON.parse(line) as { event: string; socket?: string; port?: number };
      if (event.event === "listen" && event.socket === "http") {
        clearTimeout(timer);
        resolve(event.port!);
      }
    });
  }).catch((e) => {
    stop();
    throw e;
  });
  return { url: `http://127.0.0.1:${port}`, stop };
}

const TYPES: Record<string, string> = {
  ".html": "text/html", ".js": "text/javascript", ".map": "application/json", ".wasm": "application/wasm",
};

/**
 * Serves files from `dir` (and `pages`, by path) on 127.0.0.1, optionally cross-origin isolated;
 * a POST's body goes to `onPost` (how a page that no driver controls reports back).
 */
export async function serve(
  dir: string, pages: Record<string, string>, headers: Record<string, string>, onPost?: (path: string, body: string) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url!, "http://x").pathname;
    if (req.method === "POST" && onPost) {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (d: string) => (body += d));
      req.on("end", () => {
        res.writeHead(204).end();
        onPost(path, body);
      });
      return;
    }
    const file = join(dir, normalize(path === "/" ? "/index.html" : path));
    if (path in pages) res.writeHead(200, { ...headers, "content-type": TYPES[extname(path)] ?? "text/html" }).end(pages[path]);
    else if (file.startsWith(dir) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}
