/**
 * The bundled sample: a street scene with a car, drawn in code (so the package ships no
 * image file and no licence question). It has what the lesson's car photo has for the
 * kernels to find: horizontal and vertical edges, curves, gradients and texture.
 */
import { newRaster, resizeRaster, type Raster } from "./raster.js";

type RGB = [number, number, number];
type Paint = (x: number, y: number) => RGB;

/** Deterministic PRNG (mulberry32), so the sample is the same picture everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mix = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

class Canvas {
  readonly px: Float32Array;
  constructor(readonly width: number, readonly height: number) {
    this.px = new Float32Array(width * height * 3);
  }
  /** Paints every pixel inside the box [x0, x1) × [y0, y1) where `inside` holds. */
  fill(x0: number, y0: number, x1: number, y1: number, inside: (x: number, y: number) => boolean, paint: Paint): void {
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(this.height, Math.ceil(y1)); y++) {
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(this.width, Math.ceil(x1)); x++) {
        if (!inside(x + 0.5, y + 0.5)) continue;
        this.px.set(paint(x + 0.5, y + 0.5), (y * this.width + x) * 3);
      }
    }
  }
  rect(x: number, y: number, w: number, h: number, paint: Paint | RGB): void {
    this.fill(x, y, x + w, y + h, () => true, typeof paint === "function" ? paint : () => paint);
  }
  ellipse(cx: number, cy: number, rx: number, ry: number, paint: Paint | RGB): void {
    const inside = (x: number, y: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
    this.fill(cx - rx, cy - ry, cx + rx, cy + ry, inside, typeof paint === "function" ? paint : () => paint);
  }
  polygon(points: [number, number][], paint: Paint | RGB): void {
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    const inside = (x: number, y: number) => {
      let odd = false;
      for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
        const [xi, yi] = points[i], [xj, yj] = points[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
      }
      return odd;
    };
    this.fill(Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys), inside, typeof paint === "function" ? paint : () => paint);
  }
}

/**
 * Draws the scene at `width`×`height` (default 480×320). It is drawn at twice the size
 * and averaged down, so edges are anti-aliased like a photo's.
 */
export function sampleScene(width = 480, height = 320): Raster {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16 || width > 4096 || height > 4096) {
    throw new RangeError(`sampleScene size must be integers in [16, 4096], got ${width}×${height}`);
  }
  const S = 2;
  const W = width * S, H = height * S;
  const c = new Canvas(W, H);
  const u = (f: number) => f * W; // fractions of the width
  const v = (f: number) => f * H; // fractions of the height
  const rand = random(20240529);
  const horizon = v(0.52);

  // Sky: deep blue overhead fading to haze at the horizon, with soft clouds.
  c.rect(0, 0, W, horizon, (_x, y) => mix([52, 102, 170], [200, 215, 228], y / horizon));
  for (const [cx, cy, r] of [[0.18, 0.14, 0.07], [0.26, 0.12, 0.09], [0.34, 0.15, 0.06], [0.72, 0.22, 0.08], [0.8, 0.2, 0.05]]) {
    c.ellipse(u(cx), v(cy), u(r), v(r * 0.9), (x, y) => {
      const d = Math.hypot((x - u(cx)) / u(r), (y - v(cy)) / v(r * 0.9));
      return mix(mix([52, 102, 170], [200, 215, 228], y / horizon), [245, 246, 248], Math.min(1, (1 - d) * 2.5));
    });
  }
  // Distant hills.
  c.fill(0, v(0.36), W, horizon, (x, y) => y > v(0.45) - v(0.05) * Math.sin(x / u(0.11)) - v(0.03) * Math.sin(x / u(0.043) + 1), (_x, y) =>
    mix([96, 118, 104], [120, 136, 120], (y - v(0.38)) / v(0.14)));

  // Buildings with window grids along the horizon.
  let bx = -u(0.02);
  while (bx < W) {
    const bw = u(0.08 + rand() * 0.08), bh = v(0.12 + rand() * 0.2);
    const tone = 120 + rand() * 90;
    const base: RGB = [tone, tone * 0.95, tone * 0.9];
    c.rect(bx, horizon - bh, bw, bh, (x) => mix(base, [tone * 0.7, tone * 0.68, tone * 0.66], (x - bx) / bw));
    for (let wy = horizon - bh + v(0.02); wy < horizon - v(0.03); wy += v(0.035)) {
      for (let wx = bx + u(0.01); wx < bx + bw - u(0.02); wx += u(0.022)) {
        const lit = rand() < 0.3;
        c.rect(wx, wy, u(0.012), v(0.02), lit ? [228, 214, 160] : [58, 66, 80]);
      }
    }
    bx += bw + u(0.005 + rand() * 0.02);
  }

  // Ground: grass verge, sidewalk, then the road in perspective with lane markings.
  c.rect(0, horizon, W, v(0.05), (x, y) => mix([92, 120, 70], [70, 98, 56], (y - horizon) / v(0.05) + 0.1 * Math.sin(x / 3)));
  c.rect(0, horizon + v(0.05), W, v(0.05), [168, 164, 156]);
  c.rect(0, horizon + v(0.1), W, H - horizon - v(0.1), (_x, y) => mix([88, 88, 92], [54, 54, 58], (y - horizon) / (H - horizon)));
  // The lane line runs from the sidewalk's edge towards the bottom right: diagonal edges.
  const laneX = (y: number) => u(0.7) + ((y - horizon - v(0.1)) / (H - horizon - v(0.1))) * u(0.22);
  const laneHalf = (y: number) => u(0.002) + ((y - horizon) / (H - horizon)) * u(0.012);
  for (let k = 0; k < 6; k++) {
    const y0 = horizon + v(0.11) + k * k * v(0.0105), y1 = y0 + v(0.01) + k * v(0.006);
    c.polygon([[laneX(y0) - laneHalf(y0), y0], [laneX(y0) + laneHalf(y0), y0], [laneX(y1) + laneHalf(y1), y1], [laneX(y1) - laneHalf(y1), y1]], [226, 222, 206]);
  }
  // Asphalt texture: faint dark and light specks.
  for (let i = 0; i < 2500; i++) {
    const x = rand() * W, y = horizon + v(0.1) + rand() * (H - horizon - v(0.1));
    const t = 70 - (18 * (y - horizon)) / (H - horizon) + (rand() < 0.5 ? -10 : 10);
    c.rect(x, y, S, S, [t, t, t + 4]);
  }
  // Bushes along the verge: clusters of leaves, for the kernels' fine texture.
  for (const bushX of [0.03, 0.3, 0.55, 0.93]) {
    for (let i = 0; i < 140; i++) {
      const a = rand() * Math.PI, r = rand();
      const x = u(bushX) + Math.cos(a) * r * u(0.05), y = horizon + v(0.02) - Math.sin(a) * r * v(0.07);
      const g = 60 + rand() * 70;
      c.ellipse(x, y, u(0.004 + rand() * 0.004), v(0.006 + rand() * 0.005), [g * 0.55, g, g * 0.4]);
    }
  }

  // The car, three-quarter front: shadow, body, cabin, windows, wheels, lights.
  const carX = u(0.12), carY = v(0.56), carW = u(0.52), carH = v(0.27);
  c.ellipse(carX + carW / 2, carY + carH + v(0.015), carW * 0.56, v(0.035), [30, 30, 34]);
  c.polygon([[carX + carW * 0.22, carY], [carX + carW * 0.7, carY], [carX + carW * 0.86, carY + carH * 0.42], [carX + carW * 0.08, carY + carH * 0.42]],
    (_x, y) => mix([150, 30, 36], [110, 20, 28], (y - carY) / (carH * 0.42)));
  c.polygon([[carX + carW * 0.26, carY + carH * 0.06], [carX + carW * 0.45, carY + carH * 0.06], [carX + carW * 0.45, carY + carH * 0.38], [carX + carW * 0.15, carY + carH * 0.38]],
    (x, y) => mix([170, 196, 214], [80, 100, 120], ((x - carX) / carW + (y - carY) / carH) * 1.2));
  c.polygon([[carX + carW * 0.48, carY + carH * 0.06], [carX + carW * 0.67, carY + carH * 0.06], [carX + carW * 0.79, carY + carH * 0.38], [carX + carW * 0.48, carY + carH * 0.38]],
    (x, y) => mix([170, 196, 214], [80, 100, 120], ((x - carX) / carW + (y - carY) / carH) * 0.9));
  c.rect(carX, carY + carH * 0.4, carW, carH * 0.45, (_x, y) => mix([196, 44, 50], [120, 22, 30], (y - carY - carH * 0.4) / (carH * 0.45)));
  c.rect(carX, carY + carH * 0.58, carW, carH * 0.025, [90, 16, 22]); // door crease
  c.rect(carX + carW * 0.46, carY + carH * 0.42, carW * 0.006, carH * 0.4, [96, 18, 24]); // door gap
  c.rect(carX + carW * 0.02, carY + carH * 0.78, carW * 0.96, carH * 0.1, [40, 40, 44]); // bumper
  c.ellipse(carX + carW * 0.965, carY + carH * 0.52, carW * 0.03, carH * 0.06, [250, 236, 180]); // headlight
  c.rect(carX, carY + carH * 0.48, carW * 0.025, carH * 0.1, [220, 60, 40]); // tail light
  for (const wx of [0.2, 0.8]) {
    c.ellipse(carX + carW * wx, carY + carH * 0.88, carW * 0.1, carH * 0.24, [22, 22, 24]);
    c.ellipse(carX + carW * wx, carY + carH * 0.88, carW * 0.05, carH * 0.12, (x, y) =>
      mix([190, 192, 196], [110, 112, 118], Math.hypot(x - carX - carW * wx, y - carY - carH * 0.88) / (carW * 0.05)));
  }

  // A lamp post on the right: a strong vertical line.
  c.rect(u(0.84), v(0.18), u(0.012), v(0.52), [46, 48, 52]);
  c.rect(u(0.8), v(0.18), u(0.06), v(0.012), [46, 48, 52]);

  // Sensor noise and a slight vignette, then average down to the asked size.
  const big = newRaster(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const vignette = 1 - 0.25 * (((x - W / 2) / W) ** 2 + ((y - H / 2) / H) ** 2);
      const noise = (rand() - 0.5) * 14;
      for (let k = 0; k < 3; k++) {
        const i = y * W + x;
        big.data[i * 4 + k] = Math.max(0, Math.min(255, Math.round(c.px[i * 3 + k] * vignette + noise)));
      }
    }
  }
  return resizeRaster(big, width, height);
}
