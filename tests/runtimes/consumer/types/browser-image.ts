// Compiled under moduleResolution bundler only, where simdconv/image's types cover both builds:
// the browser functions are there, and toCanvas without a canvas is not typed as a DOM element.
import { fromPixels, toCanvas, type AnyCanvas } from "simdconv/image";

export function draw(image: ImageData, into: HTMLCanvasElement): AnyCanvas {
  const t = fromPixels(image);
  const mine: HTMLCanvasElement = toCanvas(t, into); // a given canvas comes back as its own type
  // @ts-expect-error a new canvas may be an OffscreenCanvas, which is not a DOM node
  document.body.append(toCanvas(t));
  return mine;
}
