/**
 * The strided 1×1 path (gather of the strided pixels + plain GEMM) through conv2d(),
 * fused.conv2d() and createConv2d(), against the float64 reference and TensorFlow.js
 * (tfjs-core on its CPU backend) on seeded random shapes: odd channel counts, strides 2–4 per
 * axis (above the 1×1 window), sizes the stride does not divide, batch > 1, SAME and VALID,
 * bias and activations, and chunks of gathered rows (an output past the 256 KB chunk).
 */
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { convGeometry, planConv2d } from "../../src/ops/conv2d_plan.js";
import { conv2dRef, randomData, rng, worstError, type Conv2DCase } from "../helpers/reference.js";

type Act = "linear" | "relu" | "relu6";
interface Case extends Conv2DCase {
  pad: "same" | "valid";
  bias: boolean;
  act: Act;
}

const rand = rng(20261129);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function cases(): Case[] {
  const out: Case[] = [];
  for (let i = 0; i < 40; i++) {
    const ci = int(1, 70), co = int(5, 70); // 1–4 output channels take the dot paths
    let sh = int(1, 4);
    const sw = int(1, 4);
    if (sh === 1 && sw === 1) sh = 2;
    out.push({
      x: [i % 4 === 0 ? int(2, 3) : 1, int(1, 19), int(1, 19), ci], filter: [1, 1, ci, co], strides: [sh, sw],
      dilations: [1, 1], pad: i % 2 ? "same" : "valid", bias: i % 3 !== 0, act: (["linear", "relu", "relu6"] as Act[])[i % 3],
    });
  }
  // More gathered rows than one 256 KB chunk: 3 chunks of output rows on one thread.
  out.push({ x: [2, 120, 100, 64], filter: [1, 1, 64, 24], strides: [2, 2], dilations: [1, 1], pad: "valid", bias: true, act: "relu" });
  return out;
}

describe(`strided 1×1 convs (${sc.capabilities().build} build)`, () => {
  it.each(cases().map((c, i) => [i, c] as const))("case %i %j: the float64 reference and tfjs", (i, c) => {
    expect(planConv2d(convGeometry(c.filter, c.strides, c.dilations, c.pad)).name).toBe("subsample");
    const r = rng(900 + i);
    const x = randomData(size(c.x), r);
    const w = randomData(size(c.filter), r);
    const b = c.bias ? randomData(c.filter[3], r) : undefined;
    const want = conv2dRef(x, c, b, c.act, w);
    const tol = c.filter[2] / 16 + 1;

    const xt = sc.tensor(x, c.x);
    const wt = sc.tensor(w, c.filter);
    const bt = b && sc.tensor(b, [c.filter[3]]);
    const y = c.bias || c.act !== "linear"
      ? sc.fused.conv2d({ x: xt, filter: wt, strides: c.strides, pad: c.pad, bias: bt, activation: c.act })
      : sc.conv2d(xt, wt, c.strides, c.pad);
    expect(y.shape).toEqual(want.shape);
    const got = y.dataSync();
    expect(worstError(got, want).err).toBeLessThanOrEqual(tol);

    // The operator made once gives the same bits as the per-call path.
    const op = sc.createConv2d(sc.tensor(w, c.filter), { strides: c.strides, pad: c.pad, bias: b, activation: c.act });
    const y2 = op.run(xt);
    expect(Array.from(y2.dataSync())).toEqual(Array.from(got));

    const tx = tf.tensor4d(x, c.x);
    const tw = tf.tensor4d(w, c.filter);
    const tb = b && tf.tensor1d(b);
    const ty = tf.fused.conv2d({ x: tx, filter: tw, strides: c.strides, pad: c.pad, bias: tb, activation: c.act });
    const tfy = ty.dataSync() as Float32Array;
    let worst = 0;
    for (let k = 0; k < tfy.length; k++) worst = Math.max(worst, Math.abs(tfy[k] - got[k]));
    expect(worst).toBeLessThan(1e-4);
    for (const t of [tx, tw, tb, ty]) t?.dispose();
    for (const t of [xt, wt, bt, y, y2]) t?.dispose();
    op.dispose();
  });
});
