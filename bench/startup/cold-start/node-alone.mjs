// The floor: a fresh node process that imports nothing and only reports.
import { report } from "./shared.mjs";

report([]);
