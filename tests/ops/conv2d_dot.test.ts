/**
 * The few-output-channel paths (dot1: f32_conv2d_nhwc_co1_minmax_w4_dot_simd for one channel;
 * dot4: f32_conv2d_nhwc_minmax_2x4_dot_simd for 2–4) through conv2d(),
 * fused.conv2d() and createConv2d(), against the float64 reference and TensorFlow.js (tfjs-core
 * on its CPU backend) on seeded random shapes: 1–70 input channels, filters up to 7×7 (larger
 * than the input too), strides above the filter, height dilations, batch > 1, SAME, VALID and
 * explicit pads, bias and activations.
 */
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { convGeometry, planConv2d } from "../../src/ops/conv2d_plan.js";
import { conv2dRef, padding1d, randomData, rng, worstError, type Conv2DCase } from "../helpers/reference.js";

type Act = "linear" | "relu" | "relu6";
type Pad = "same" | "valid" | [number, number, number, number];
interface Case extends Conv2DCase {
  pad: Pad;
  bias: boolean;
  act: Act;
}

const rand = rng(20261130);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function cases(): Case[] {
  const out: Case[] = [];
  while (out.length < 60) {
    const i = out.length;
    const ci = i % 5 === 0 ? int(5, 70) : int(2, 4);
    const kh = int(1, 7), kw = int(1, 7);
    const sh = int(1, 3), sw = i % 4 === 0 ? int(2, 3) : 1;
    const dh = i % 6 === 0 ? 2 : 1;
    const pad: Pad = i % 3 === 0 ? "same" : i % 3 === 1 ? "valid" : [int(0, kh), int(0, kh), int(0, kw), int(0, kw)];
    const c: Case = {
      x: [i % 7 === 0 ? 2 : 1, int(1, 20), int(1, 24), ci], filter: [kh, kw, ci, int(1, 4)], strides: [sh, sw], dilations: [dh, 1],
      pad, bias: i % 2 === 0, act: (["linear", "relu", "relu6"] as Act[])[i % 3],
    };
    const p = (d: 0 | 1) => (typeof pad === "string" ? pad : ([pad[2 * d], pad[2 * d + 1]] as [number, number]));
    if (padding1d(c.x[1], kh, sh, dh, p(0))[2] <= 0 || padding1d(c.x[2], kw, sw, 1, p(1))[2] <= 0) continue;
    out.push(c);
  }
  return out;
}

const apiPad = (p: Pad) => (typeof p === "string" ? p : ([[0, 0], [p[0], p[1]], [p[2], p[3]], [0, 0]] as [[0, 0], [number, number], [number, number], [0, 0]]));

describe(`one to four output channels (${sc.capabilities().build} build)`, () => {
  it.each(cases().map((c, i) => [i, c] as const))("case %i %j: the float64 reference and tfjs", (i, c) => {
    expect(planConv2d(convGeometry(c.filter, c.strides, c.dilations, apiPad(c.pad))).name).toBe(c.filter[3] > 1 ? "dot4" : c.x[3] === 1 && c.strides[1] === 1 ? "direct1" : "dot1");
    const r = rng(1900 + i);
    const x = randomData(size(c.x), r);
    const w = randomData(size(c.filter), r);
    const b = c.bias ? randomData(c.filter[3], r) : undefined;
    const want = conv2dRef(x, c, b, c.act, w);
    const xt = sc.tensor(x, c.x);
    const wt = sc.tensor(w, c.filter);
    const y = sc.fused.conv2d({ x: xt, filter: wt, strides: c.strides, dilations: c.dilations, pad: apiPad(c.pad), bias: b && sc.tensor(b, [c.filter[3]]), activation: c.act });
    expect(y.shape).toEqual(want.shape);
    const got = y.dataSync();
    expect(worstError(got, want).err).toBeLessThanOrEqual(size(c.filter) / c.filter[3] / 16 + 1);

    const op = sc.createConv2d(sc.tensor(w, c.filter), { strides: c.strides, dilations: c.dilations, pad: apiPad(c.pad), bias: b, activation: c.act });
    const y2 = op.run(xt);
    expect(Array.from(y2.dataSync())).toEqual(Array.from(got));
    op.dispose();

    // tfjs takes strides or dilations above 1, not both.
    if (c.dilations[0] === 1 || (c.strides[0] === 1 && c.strides[1] === 1)) {
      const ty = tf.tidy(() => tf.fused.conv2d({
        x: tf.tensor4d(x, c.x), filter: tf.tensor4d(w, c.filter), strides: c.strides, dilations: c.dilations,
        pad: typeof c.pad === "string" ? c.pad : apiPad(c.pad), bias: b && tf.tensor1d(b), activation: c.act,
      }));
      const tfy = ty.dataSync() as Float32Array;
      let worst = 0;
      for (let k = 0; k < tfy.length; k++) worst = Math.max(worst, Math.abs(tfy[k] - got[k]));
      expect(worst).toBeLessThan(1e-4);
      ty.dispose();
    }
    for (const t of [xt, wt, y, y2]) t.dispose();
  });
});
