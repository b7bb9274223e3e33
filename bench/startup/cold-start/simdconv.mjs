// One cold start: import simdconv, run a first 1×32×32×3 conv (3×3×3×8, SAME), read it, exit.
import { conv2d, tensor } from "simdconv";
import { firstConvInputs, report } from "./shared.mjs";

const { x, filter } = firstConvInputs();
const y = conv2d(tensor(x, [1, 32, 32, 3]), tensor(filter, [3, 3, 3, 8]), 1, "same");
report(y.dataSync());
