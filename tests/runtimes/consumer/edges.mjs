import { tensor, conv2d, relu, maxPool, tidy } from "simdconv";

// An 8×8 grayscale image with a bright 4×4 square, NHWC [1, 8, 8, 1].
const pixels = Array.from({ length: 64 }, (_, i) => (i >= 16 && i < 48 && i % 8 >= 2 && i % 8 < 6 ? 1 : 0));
const pooled = tidy(() => {
  const image = tensor(pixels, [1, 8, 8, 1]);
  const edge = tensor([-1, -1, -1, -1, 8, -1, -1, -1, -1], [3, 3, 1, 1]); // HWIO [3, 3, 1, 1]
  return maxPool(relu(conv2d(image, edge, 1, "same")), 2, 2, "same"); // filter, detect, condense
});
console.log(JSON.stringify(pooled.arraySync()));
pooled.dispose();
