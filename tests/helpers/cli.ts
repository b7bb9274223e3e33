/** The built `simdconv` command, run as a user runs it, for the CLI's end-to-end tests. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const cliPath = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Fails early, with the fix, when the CLI has not been built (npm test builds it). */
export function requireBuiltCli(): void {
  if (!existsSync(cliPath)) throw new Error("dist/cli.js is missing: run `npm run build` (npm test does) first");
}

/** Runs `node dist/cli.js ...args` in `cwd`, without colours; never rejects. */
export function runCli(cwd: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
