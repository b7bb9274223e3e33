// A photo-like test picture drawn in code, at any size: sky with a soft gradient and clouds,
// hazy hills, a textured field, trees, a house with windows, sensor noise and vignetting.
// Camera photos cannot be downloaded here; this one has what matters to codecs and kernels:
// smooth areas, fine texture, sharp edges and noise.

/** mulberry32: deterministic, so a size and seed always give the same picture. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Smooth value noise in [0, 1): a 64×64 lattice, bilinear with smoothstep, wrapping. */
function lattice(rand) {
  const g = Float32Array.from({ length: 64 * 64 }, rand);
  return (x, y) => {
    const xi = Math.floor(x), yi = Math.floor(y);
    let fx = x - xi, fy = y - yi;
    fx = fx * fx * (3 - 2 * fx);
    fy = fy * fy * (3 - 2 * fy);
    const x0 = xi & 63, y0 = yi & 63, x1 = (x0 + 1) & 63, y1 = (y0 + 1) & 63;
    const a = g[y0 * 64 + x0], b = g[y0 * 64 + x1], c = g[y1 * 64 + x0], d = g[y1 * 64 + x1];
    return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
  };
}

/** RGBA pixels { width, height, data } of the picture. */
export function photo(width, height, seed = 7) {
  const rand = random(seed);
  const noise = lattice(rand);
  const fbm = (x, y, octaves) => {
    let s = 0, amp = 0.5;
    for (let o = 0; o < octaves; o++, amp /= 2, x *= 2.03, y *= 2.03) s += amp * noise(x, y);
    return s;
  };
  const data = new Uint8ClampedArray(width * height * 4);
  const u = 1 / Math.max(width, height); // one pixel, in picture units (the longer side is 1)
  const horizon = 0.42 * height * u;
  const trees = Array.from({ length: 7 }, () => ({ x: rand() * width * u, r: (0.03 + rand() * 0.05), y: horizon + 0.05 + rand() * 0.12 }));
  const house = { x0: 0.55 * width * u, x1: 0.72 * width * u, y0: horizon - 0.02, y1: horizon + 0.12 };
  const grain = random(seed + 1);
  for (let py = 0; py < height; py++) {
    const y = py * u;
    for (let px = 0; px < width; px++) {
      const x = px * u;
      let r, g, b;
      const ridge = horizon - 0.06 - 0.05 * fbm(x * 6, 3.7, 4);
      if (y < ridge) {
        // Sky: a gradient, clouds from low-frequency noise.
        const t = y / horizon, cloud = Math.max(0, fbm(x * 5, y * 9, 5) - 0.45) * 2.2;
        r = 90 + 110 * t + 150 * cloud; g = 140 + 80 * t + 110 * cloud; b = 220 + 25 * t + 30 * cloud;
      } else if (y < horizon) {
        const haze = (y - ridge) / (horizon - ridge);
        r = 95 + 30 * haze; g = 115 + 25 * haze; b = 140 - 10 * haze;
      } else {
        // Field: texture at several scales, darker and coarser towards the viewer.
        const d = (y - horizon) / (1 - horizon), tex = fbm(x * 40 / (0.3 + d), y * 80 / (0.3 + d), 5);
        r = 70 + 60 * tex - 20 * d; g = 110 + 70 * tex - 30 * d; b = 40 + 30 * tex;
      }
      if (x > house.x0 && x < house.x1 && y > house.y0 && y < house.y1) {
        const wx = ((x - house.x0) / (house.x1 - house.x0)) * 5, wy = ((y - house.y0) / (house.y1 - house.y0)) * 3;
        const window = wx % 1 > 0.3 && wx % 1 < 0.7 && wy % 1 > 0.3 && wy % 1 < 0.75;
        const v = window ? 40 : 200 + 20 * noise(x * 300, y * 300);
        r = v; g = window ? 50 : v * 0.92; b = window ? 70 : v * 0.85;
      } else if (x > house.x0 - 0.01 && x < house.x1 + 0.01 && y > house.y0 - 0.05 && y <= house.y0 && (y - (house.y0 - 0.05)) > Math.abs(x - (house.x0 + house.x1) / 2) * 0.55 - 0.0) {
        r = 150; g = 60; b = 50; // roof
      }
      for (const t of trees) {
        const dx = x - t.x, dy = y - (t.y - t.r);
        if (Math.abs(dx) > t.r * 1.2 || dy < -t.r * 1.2 || dy > t.r + 0.01) continue;
        const leaf = fbm(x * 120, y * 120, 3);
        if (dx * dx + dy * dy < t.r * t.r * (0.7 + 0.6 * leaf)) {
          r = 30 + 50 * leaf; g = 60 + 80 * leaf; b = 25 + 30 * leaf;
        } else if (Math.abs(dx) < t.r * 0.12 && y > t.y - t.r && y < t.y + 0.01) {
          r = 70; g = 50; b = 35; // trunk
        }
      }
      const vignette = 1 - 0.35 * (((x - 0.5 * width * u) / 0.6) ** 2 + ((y - 0.5 * height * u) / 0.6) ** 2);
      const n = (grain() - 0.5) * 6;
      const o = (py * width + px) * 4;
      data[o] = r * vignette + n;
      data[o + 1] = g * vignette + n;
      data[o + 2] = b * vignette + n;
      data[o + 3] = 255;
    }
  }
  return { width, height, data: new Uint8Array(data.buffer) };
}
