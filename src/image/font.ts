/**
 * A 5×7 bitmap font, enough for kernel values and panel labels, so pictures carry their
 * numbers without a font file or a canvas. Each glyph is 7 rows; each row is two hex
 * digits whose low 5 bits are the pixels, left to right.
 */
import type { Raster } from "./raster.js";

const GLYPHS: Record<string, string> = {
  "0": "0e11131519110e", "1": "040c040404040e", "2": "0e11010204081f", "3": "1f02040201110e",
  "4": "02060a121f0202", "5": "1f101e0101110e", "6": "0608101e11110e", "7": "1f010204080808",
  "8": "0e11110e11110e", "9": "0e11110f01020c",
  A: "0e11111f111111", B: "1e11111e11111e", C: "0e11101010110e", D: "1c12111111121c",
  E: "1f10101e10101f", F: "1f10101e101010", G: "0e11101711110f", H: "1111111f111111",
  I: "0e04040404040e", J: "0702020202120c", K: "11121418141211", L: "1010101010101f",
  M: "111b1515111111", N: "11111915131111", O: "0e11111111110e", P: "1e11111e101010",
  Q: "0e11111115120d", R: "1e11111e141211", S: "0f10100e01011e", T: "1f040404040404",
  U: "1111111111110e", V: "11111111110a04", W: "1111111515150a", X: "11110a040a1111",
  Y: "1111110a040404", Z: "1f01020408101f",
  " ": "00000000000000", "-": "0000001f000000", "+": "0004041f040400", ".": "00000000000c0c",
  ",": "000000000c0408", ":": "000c0c000c0c00", "/": "01010204081010", "(": "02040808080402",
  ")": "08040202020408", "[": "0e08080808080e", "]": "0e02020202020e", "=": "00001f001f0000",
  _: "0000000000001f", "%": "18190204081303", "?": "0e110102040004", "×": "00110a040a1100",
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

function rows(ch: string): number[] {
  const code = GLYPHS[ch] ?? GLYPHS[ch.toUpperCase()] ?? GLYPHS["?"];
  const out: number[] = [];
  for (let i = 0; i < GLYPH_HEIGHT; i++) out.push(parseInt(code.slice(i * 2, i * 2 + 2), 16));
  return out;
}

/** Width in pixels of `text` at `scale` (one blank column between glyphs). */
export function textWidth(text: string, scale: number): number {
  const n = [...text].length;
  return n === 0 ? 0 : (n * (GLYPH_WIDTH + 1) - 1) * scale;
}

/** Draws `text` with its top-left corner at (x, y); each font pixel becomes a scale×scale square. */
export function drawText(dst: Raster, text: string, x: number, y: number, scale: number, rgb: readonly number[]): void {
  let cx = x;
  for (const ch of text) {
    const bits = rows(ch);
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (!(bits[r] & (0x10 >> c))) continue;
        for (let v = 0; v < scale; v++) {
          const py = y + r * scale + v;
          if (py < 0 || py >= dst.height) continue;
          for (let u = 0; u < scale; u++) {
            const px = cx + c * scale + u;
            if (px < 0 || px >= dst.width) continue;
            const i = (py * dst.width + px) * 4;
            dst.data[i] = rgb[0];
            dst.data[i + 1] = rgb[1];
            dst.data[i + 2] = rgb[2];
            dst.data[i + 3] = 255;
          }
        }
      }
    }
    cx += (GLYPH_WIDTH + 1) * scale;
  }
}
