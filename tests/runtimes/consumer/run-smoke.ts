// Runs the smoke suite on simdconv as a dependency resolves it (Deno, Bun, bundlers).
import * as simdconv from "simdconv";
import { smoke } from "../smoke.ts";

console.log(JSON.stringify(await smoke(simdconv)));
