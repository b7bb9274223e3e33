/**
 * jasmine's globals over vitest, for tfjs-core's compiled specs: describe/it/hooks, `done`
 * callbacks, and the three matchers the specs use (toEqual, toBe, toThrowError) plus
 * `expect().nothing()`. `it` asks `skip(fullName)` whether to run a spec, and counts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

export interface Tally { run: number; passed: number; failed: number; skipped: Map<string, number>; simdconvCalls: number; only?: string }

type SpecFn = ((done: DoneFn) => unknown) | (() => unknown);
interface DoneFn { (): void; fail(message?: unknown): void }

/** While a describe body registers its specs: the enclosing names and the spec file's tally. */
let names: string[] = [];
let active: Tally | undefined;

/** Runs a jasmine spec or hook function, which may take `done` or return a promise. */
function call(fn: SpecFn): unknown {
  if (fn.length === 0) return (fn as () => unknown)();
  return new Promise<void>((resolve, reject) => {
    const done = (() => resolve()) as DoneFn;
    done.fail = (m?: unknown) => reject(m instanceof Error ? m : new Error(String(m)));
    (fn as (d: DoneFn) => unknown)(done);
  });
}

export function installJasmine(skip: (fullName: string, t: Tally) => string | undefined, tally: () => Tally, calls: () => number): void {
  const g = globalThis as Record<string, unknown>;
  // vitest may run describe bodies after the spec module has loaded, so each body restores the
  // context it was declared in; a top-level describe belongs to the spec file loading now.
  g.describe = (name: string, fn: () => void) => {
    const path = [...names, name];
    const t = active ?? tally();
    describe(name, () => {
      const outer = [names, active] as const;
      [names, active] = [path, t];
      try {
        fn();
      } finally {
        [names, active] = outer;
      }
    });
  };
  g.it = (name: string, fn: SpecFn, timeout?: number) => {
    const t = active ?? tally();
    const reason = skip([...names, name].join(" "), t);
    if (reason) {
      t.skipped.set(reason, (t.skipped.get(reason) ?? 0) + 1);
      it.skip(name, () => {});
      return;
    }
    t.run++;
    it(name, async () => {
      const before = calls();
      try {
        await call(fn);
        t.passed++;
      } catch (e) {
        t.failed++;
        throw e;
      } finally {
        t.simdconvCalls += calls() - before;
      }
    }, timeout ?? 20_000);
  };
  g.xit = (name: string) => it.skip(name, () => {});
  for (const [key, hook] of Object.entries({ beforeAll, afterAll, beforeEach, afterEach })) {
    g[key] = (fn: SpecFn) => hook(() => call(fn) as never);
  }
  g.expect = (...args: unknown[]) => {
    if (args.length === 0) return { nothing: () => {} };
    return expect(args[0]);
  };
}
