/**
 * What tfjs-core's specs import from its jasmine_util, over vitest: describeWithFlags runs a
 * spec group once per registered test environment, resetting tfjs's engine around it as
 * tfjs-core's own jasmine_util does. Only the parts the specs use are here.
 */
import { ENGINE } from "@tensorflow/tfjs-core/dist/engine.js";
import { env } from "@tensorflow/tfjs-core/dist/environment.js";

// jasmine's globals, installed by jasmine.ts before any spec loads.
declare const describe: (name: string, fn: () => void) => void;
declare const beforeAll: (fn: () => unknown) => void;
declare const afterAll: (fn: () => unknown) => void;
declare const beforeEach: (fn: () => unknown) => void;
declare const afterEach: (fn: () => unknown) => void;

interface Constraints { flags?: Record<string, unknown>; predicate?: (testEnv: TestEnv) => boolean }
export interface TestEnv { name: string; backendName: string; flags?: Record<string, unknown>; isDataSync?: boolean }

export const ALL_ENVS: Constraints = {};
export const NODE_ENVS: Constraints = { predicate: () => env().platformName === "node" };
export const BROWSER_ENVS: Constraints = { predicate: () => env().platformName === "browser" };
export const CHROME_ENVS: Constraints = { flags: { IS_CHROME: true } };
export const SYNC_BACKEND_ENVS: Constraints = { predicate: (t) => t.isDataSync === true };

export const TEST_ENVS: TestEnv[] = [];
export function registerTestEnv(testEnv: TestEnv): void {
  TEST_ENVS.push(testEnv);
}

function satisfies(testEnv: TestEnv, c?: Constraints): boolean {
  if (!c) return true;
  for (const [flag, value] of Object.entries(c.flags ?? {})) if (env().get(flag) !== value) return false;
  return !c.predicate || c.predicate(testEnv);
}

export function describeWithFlags(name: string, constraints: Constraints, tests: (env: TestEnv) => void): void {
  for (const testEnv of TEST_ENVS) {
    env().setFlags((testEnv.flags ?? {}) as Parameters<ReturnType<typeof env>["setFlags"]>[0]);
    env().set("IS_TEST", true);
    if (!satisfies(testEnv, constraints)) continue;
    describe(`${name} ${testEnv.name} ${JSON.stringify(testEnv.flags ?? {})}`, () => {
      beforeAll(async () => {
        ENGINE.reset();
        env().set("IS_TEST", true);
        await ENGINE.setBackend(testEnv.backendName);
      });
      beforeEach(() => ENGINE.startScope());
      afterEach(() => {
        ENGINE.endScope();
        ENGINE.disposeVariables();
      });
      afterAll(() => ENGINE.reset());
      tests(testEnv);
    });
  }
}
