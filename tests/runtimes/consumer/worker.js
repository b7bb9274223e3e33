import wasm from "simdconv/wasm/simdconv-simd.wasm";
import { init, tensor, conv2d, relu, tidy } from "simdconv";

// POST {"pixels": [...], "height": h, "width": w} → the edges of a grayscale image.
export default {
  async fetch(request) {
    await init({ wasm }); // Workers cannot compile wasm from bytes: hand over the imported module
    const { pixels, height, width } = await request.json();
    const edges = tidy(() => {
      const image = tensor(pixels, [1, height, width, 1]);
      const kernel = tensor([-1, -1, -1, -1, 8, -1, -1, -1, -1], [3, 3, 1, 1]);
      return relu(conv2d(image, kernel, 1, "same"));
    });
    const body = { shape: edges.shape, values: Array.from(edges.dataSync()) };
    edges.dispose();
    return Response.json(body);
  },
};
