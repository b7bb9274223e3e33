// The layer suite's table: every distinct conv and pool layer of the networks users run, image
// filters at photo sizes, and relu / maxPool from 100 KB to 50 MB. One row per layer, NHWC input,
// HWIO filter, in the form bench/ops/shapes.mjs uses (op: conv | relu | maxPool), so bench/ops/peers.mjs
// runs them as they are. Pure data: no imports with side effects, so a unit test can load it.
//
// Row: { id, group, label, op, x, f?, k?, stride, pad, quick?, also? }
//   id     unique, "<network>.<layer>"; `also` lists other layers with the same shape
//   quick  in the `--quick` subset
// Skipped layers (ops simdconv does not have) are listed in SKIPPED with the reason.
import { outSize, flopsOf } from "./shapes.mjs";

export { outSize, flopsOf };

const conv = (id, [n, h, w, ci], [kh, kw, co], stride = 1, pad = "same", quick = false) => ({
  id, op: "conv", x: [n, h, w, ci], f: [kh, kw, ci, co], stride, pad, quick,
});
const pool = (id, [n, h, w, c], k, stride, pad = "valid", quick = false) => ({
  id, op: "maxPool", x: [n, h, w, c], k, stride, pad, quick,
});
const relu = (id, x, quick = false) => ({ id, op: "relu", x, quick });
const Q = true;

// VGG16 on 224×224: 3×3 SAME convs, 2×2 stride-2 pools.
const vgg16 = [
  conv("vgg16.conv1_1", [1, 224, 224, 3], [3, 3, 64]),
  conv("vgg16.conv1_2", [1, 224, 224, 64], [3, 3, 64], 1, "same", Q),
  pool("vgg16.pool1", [1, 224, 224, 64], 2, 2, "valid", Q),
  conv("vgg16.conv2_1", [1, 112, 112, 64], [3, 3, 128]),
  conv("vgg16.conv2_2", [1, 112, 112, 128], [3, 3, 128]),
  pool("vgg16.pool2", [1, 112, 112, 128], 2, 2),
  conv("vgg16.conv3_1", [1, 56, 56, 128], [3, 3, 256]),
  conv("vgg16.conv3_2", [1, 56, 56, 256], [3, 3, 256], 1, "same", Q), // also conv3_3
  pool("vgg16.pool3", [1, 56, 56, 256], 2, 2),
  conv("vgg16.conv4_1", [1, 28, 28, 256], [3, 3, 512]),
  conv("vgg16.conv4_2", [1, 28, 28, 512], [3, 3, 512]), // also conv4_3
  pool("vgg16.pool4", [1, 28, 28, 512], 2, 2),
  conv("vgg16.conv5_1", [1, 14, 14, 512], [3, 3, 512], 1, "same", Q), // also conv5_2, conv5_3
  pool("vgg16.pool5", [1, 14, 14, 512], 2, 2),
];

// ResNet-18 on 224×224 (stride in the first 3×3 of a stage, 1×1 stride-2 shortcut).
const resnet18 = [
  conv("resnet18.conv1", [1, 224, 224, 3], [7, 7, 64], 2, "same", Q),
  pool("resnet18.maxpool", [1, 112, 112, 64], 3, 2, "same"),
  conv("resnet18.layer1.conv", [1, 56, 56, 64], [3, 3, 64]),
  conv("resnet18.layer2.conv1", [1, 56, 56, 64], [3, 3, 128], 2),
  conv("resnet18.layer2.conv2", [1, 28, 28, 128], [3, 3, 128]),
  conv("resnet18.layer2.downsample", [1, 56, 56, 64], [1, 1, 128], 2, "valid"),
  conv("resnet18.layer3.conv1", [1, 28, 28, 128], [3, 3, 256], 2, "same", Q),
  conv("resnet18.layer3.conv2", [1, 14, 14, 256], [3, 3, 256]),
  conv("resnet18.layer3.downsample", [1, 28, 28, 128], [1, 1, 256], 2, "valid"),
  conv("resnet18.layer4.conv1", [1, 14, 14, 256], [3, 3, 512], 2),
  conv("resnet18.layer4.conv2", [1, 7, 7, 512], [3, 3, 512], 1, "same", Q),
  conv("resnet18.layer4.downsample", [1, 14, 14, 256], [1, 1, 512], 2, "valid"),
];

// ResNet-50 v1.5 on 224×224 (the stride in the bottleneck's 3×3, as torchvision places it;
// Keras' ResNet50 puts it in the first 1×1). Its stem, pool and stride-1 3×3s are ResNet-18's.
const resnet50 = [
  conv("resnet50.conv1", [1, 224, 224, 3], [7, 7, 64], 2),
  pool("resnet50.maxpool", [1, 112, 112, 64], 3, 2, "same"),
  // conv2_x at 56²
  conv("resnet50.conv2.1x1a", [1, 56, 56, 64], [1, 1, 64], 1, "valid"),
  conv("resnet50.conv2.3x3", [1, 56, 56, 64], [3, 3, 64]),
  conv("resnet50.conv2.1x1b", [1, 56, 56, 64], [1, 1, 256], 1, "valid", Q), // also the shortcut 64→256
  conv("resnet50.conv2.1x1a_in256", [1, 56, 56, 256], [1, 1, 64], 1, "valid"),
  // conv3_x at 28²
  conv("resnet50.conv3.1x1a_first", [1, 56, 56, 256], [1, 1, 128], 1, "valid"),
  conv("resnet50.conv3.3x3_s2", [1, 56, 56, 128], [3, 3, 128], 2),
  conv("resnet50.conv3.1x1b", [1, 28, 28, 128], [1, 1, 512], 1, "valid"),
  conv("resnet50.conv3.downsample", [1, 56, 56, 256], [1, 1, 512], 2, "valid", Q),
  conv("resnet50.conv3.1x1a", [1, 28, 28, 512], [1, 1, 128], 1, "valid"),
  conv("resnet50.conv3.3x3", [1, 28, 28, 128], [3, 3, 128]),
  // conv4_x at 14²
  conv("resnet50.conv4.1x1a_first", [1, 28, 28, 512], [1, 1, 256], 1, "valid"),
  conv("resnet50.conv4.3x3_s2", [1, 28, 28, 256], [3, 3, 256], 2),
  conv("resnet50.conv4.1x1b", [1, 14, 14, 256], [1, 1, 1024], 1, "valid", Q),
  conv("resnet50.conv4.downsample", [1, 28, 28, 512], [1, 1, 1024], 2, "valid"),
  conv("resnet50.conv4.1x1a", [1, 14, 14, 1024], [1, 1, 256], 1, "valid"),
  conv("resnet50.conv4.3x3", [1, 14, 14, 256], [3, 3, 256]),
  // conv5_x at 7²
  conv("resnet50.conv5.1x1a_first", [1, 14, 14, 1024], [1, 1, 512], 1, "valid"),
  conv("resnet50.conv5.3x3_s2", [1, 14, 14, 512], [3, 3, 512], 2),
  conv("resnet50.conv5.1x1b", [1, 7, 7, 512], [1, 1, 2048], 1, "valid"),
  conv("resnet50.conv5.downsample", [1, 14, 14, 1024], [1, 1, 2048], 2, "valid"),
  conv("resnet50.conv5.1x1a", [1, 7, 7, 2048], [1, 1, 512], 1, "valid", Q),
  conv("resnet50.conv5.3x3", [1, 7, 7, 512], [3, 3, 512]),
];

// MobileNetV1 (α = 1) on 224×224: the full 3×3 stride-2 stem and every distinct pointwise 1×1.
const mobilenet = [
  conv("mobilenet_v1.conv1", [1, 224, 224, 3], [3, 3, 32], 2, "same", Q),
  conv("mobilenet_v1.pw1", [1, 112, 112, 32], [1, 1, 64], 1, "valid", Q),
  conv("mobilenet_v1.pw2", [1, 56, 56, 64], [1, 1, 128], 1, "valid"),
  conv("mobilenet_v1.pw3", [1, 56, 56, 128], [1, 1, 128], 1, "valid"),
  conv("mobilenet_v1.pw4", [1, 28, 28, 128], [1, 1, 256], 1, "valid"),
  conv("mobilenet_v1.pw5", [1, 28, 28, 256], [1, 1, 256], 1, "valid"),
  conv("mobilenet_v1.pw6", [1, 14, 14, 256], [1, 1, 512], 1, "valid"),
  conv("mobilenet_v1.pw7", [1, 14, 14, 512], [1, 1, 512], 1, "valid", Q), // pw7–pw11
  conv("mobilenet_v1.pw12", [1, 7, 7, 512], [1, 1, 1024], 1, "valid"),
  conv("mobilenet_v1.pw13", [1, 7, 7, 1024], [1, 1, 1024], 1, "valid"),
];

// Its depthwise 3×3 layers: [id, input, stride].
const depthwise = [
  ["dw1", [1, 112, 112, 32], 1], ["dw2", [1, 112, 112, 64], 2], ["dw3", [1, 56, 56, 128], 1],
  ["dw4", [1, 56, 56, 128], 2], ["dw5", [1, 28, 28, 256], 1], ["dw6", [1, 28, 28, 256], 2],
  ["dw7", [1, 14, 14, 512], 1], ["dw12", [1, 14, 14, 512], 2], ["dw13", [1, 7, 7, 1024], 1],
];

/** Layers in the networks above that simdconv cannot run, with the reason. */
export const SKIPPED = depthwise.map(([id, x, stride]) => ({
  id: `mobilenet_v1.${id}`,
  label: `depthwiseConv2d ${x.join("×")} 3×3 s${stride}`,
  reason: "depthwise convolution is not an op of simdconv (conv2d, relu, maxPool only)",
}));

// The course's small convnet: Conv2D 3×3 32/64/128/128 (VALID, Keras' default) each followed by
// 2×2 max pooling, on 150×150×3 (and the first three on 128×128×3).
const course = [
  conv("course150.conv1", [1, 150, 150, 3], [3, 3, 32], 1, "valid", Q),
  pool("course150.pool1", [1, 148, 148, 32], 2, 2, "valid", Q),
  conv("course150.conv2", [1, 74, 74, 32], [3, 3, 64], 1, "valid"),
  pool("course150.pool2", [1, 72, 72, 64], 2, 2),
  conv("course150.conv3", [1, 36, 36, 64], [3, 3, 128], 1, "valid"),
  pool("course150.pool3", [1, 34, 34, 128], 2, 2),
  conv("course150.conv4", [1, 17, 17, 128], [3, 3, 128], 1, "valid"),
  pool("course150.pool4", [1, 15, 15, 128], 2, 2),
  conv("course128.conv1", [1, 128, 128, 3], [3, 3, 32], 1, "valid"),
  pool("course128.pool1", [1, 126, 126, 32], 2, 2),
  conv("course128.conv2", [1, 63, 63, 32], [3, 3, 64], 1, "valid"),
  pool("course128.pool2", [1, 61, 61, 64], 2, 2),
  conv("course128.conv3", [1, 30, 30, 64], [3, 3, 128], 1, "valid"),
  pool("course128.pool3", [1, 28, 28, 128], 2, 2),
];

// A YOLOv3-tiny-style backbone on 416×416: 3×3 SAME convs with 2×2 stride-2 pools, a 2×2
// stride-1 SAME pool at 13², then 1×1 and 3×3 convs and the 255-channel 1×1 head.
const yolo = [
  conv("yolo_tiny.conv1", [1, 416, 416, 3], [3, 3, 16], 1, "same", Q),
  pool("yolo_tiny.pool1", [1, 416, 416, 16], 2, 2),
  conv("yolo_tiny.conv2", [1, 208, 208, 16], [3, 3, 32]),
  pool("yolo_tiny.pool2", [1, 208, 208, 32], 2, 2),
  conv("yolo_tiny.conv3", [1, 104, 104, 32], [3, 3, 64]),
  pool("yolo_tiny.pool3", [1, 104, 104, 64], 2, 2),
  conv("yolo_tiny.conv4", [1, 52, 52, 64], [3, 3, 128]),
  pool("yolo_tiny.pool4", [1, 52, 52, 128], 2, 2),
  conv("yolo_tiny.conv5", [1, 26, 26, 128], [3, 3, 256]),
  pool("yolo_tiny.pool5", [1, 26, 26, 256], 2, 2),
  conv("yolo_tiny.conv6", [1, 13, 13, 256], [3, 3, 512]),
  pool("yolo_tiny.pool6_s1", [1, 13, 13, 512], 2, 1, "same", Q),
  conv("yolo_tiny.conv7", [1, 13, 13, 512], [3, 3, 1024]),
  conv("yolo_tiny.conv8_1x1", [1, 13, 13, 1024], [1, 1, 256], 1, "valid"),
  conv("yolo_tiny.conv9", [1, 13, 13, 256], [3, 3, 512]),
  conv("yolo_tiny.head_1x1", [1, 13, 13, 512], [1, 1, 255], 1, "valid", Q),
];

// Batch 8 for a few of the layers above.
const batch8 = [
  conv("batch8.course150.conv2", [8, 74, 74, 32], [3, 3, 64], 1, "valid", Q),
  pool("batch8.course150.pool1", [8, 148, 148, 32], 2, 2),
  conv("batch8.resnet18.layer3.conv1", [8, 28, 28, 128], [3, 3, 256], 2),
  conv("batch8.resnet50.conv5.1x1a", [8, 7, 7, 2048], [1, 1, 512], 1, "valid"),
  conv("batch8.mobilenet_v1.pw7", [8, 14, 14, 512], [1, 1, 512], 1, "valid"),
  conv("batch8.resnet18.layer4.conv2", [8, 7, 7, 512], [3, 3, 512]),
];

// Image filters at photo sizes, [h, w]: 1- and 3-channel inputs, 3×3 and 5×5, SAME.
const SIZES = [["128", 128, 128], ["720x480", 480, 720], ["1280x720", 720, 1280], ["4000x3000", 3000, 4000]];
const filters = SIZES.flatMap(([name, h, w]) => {
  const big = h * w > 4e6;
  return [
    conv(`filter.${name}.1to1.3x3`, [1, h, w, 1], [3, 3, 1], 1, "same", name === "1280x720" || big),
    conv(`filter.${name}.1to1.5x5`, [1, h, w, 1], [5, 5, 1], 1, "same", name === "720x480"),
    conv(`filter.${name}.3to1.3x3`, [1, h, w, 3], [3, 3, 1]),
    conv(`filter.${name}.3to3.5x5`, [1, h, w, 3], [5, 5, 3]),
    // Several maps: 16 up to 1280×720, 8 at 12 MP (16 maps would be a 768 MB output).
    conv(`filter.${name}.3to${big ? 8 : 16}.3x3`, [1, h, w, 3], [3, 3, big ? 8 : 16], 1, "same", name === "720x480"),
  ];
});

// relu and 2×2 stride-2 maxPool from 100 KB to 50 MB of input.
const MEM = [
  ["100KB", [1, 40, 40, 16]], ["1MB", [1, 64, 64, 64]], ["3MB", [1, 112, 112, 64]],
  ["13MB", [1, 224, 224, 64]], ["51MB", [1, 448, 448, 64]],
];
const memory = MEM.flatMap(([name, x]) => [
  relu(`relu.${name}`, x, name === "1MB" || name === "51MB"),
  pool(`maxpool2x2.${name}`, x, 2, 2, "valid", name === "3MB"),
]);

/** Input bytes of a row. */
export const inputBytes = (r) => 4 * r.x.reduce((a, b) => a * b, 1);

/** The output shape [n, ho, wo, c] of a row. */
export function outputShape(r) {
  const [n, h, w, c] = r.x;
  if (r.op === "relu") return [n, h, w, c];
  const [kh, kw] = r.op === "conv" ? r.f : [r.k, r.k];
  return [n, outSize(h, kh, r.stride, r.pad), outSize(w, kw, r.stride, r.pad), r.op === "conv" ? r.f[3] : c];
}

/** Bytes a row must at least read and write: input, filter and output, once each. */
export function minBytes(r) {
  const size = (s) => s.reduce((a, b) => a * b, 1);
  return 4 * (size(r.x) + (r.f ? size(r.f) : 0) + size(outputShape(r)));
}

/** Image filters in the targets' sense: at most 4 input channels and one output map. */
export const isImageFilter = (r) => r.op === "conv" && r.x[3] <= 4 && r.f[3] === 1;

function label(r) {
  const x = r.x.join("×");
  if (r.op === "relu") return `relu ${x}`;
  if (r.op === "maxPool") return `maxPool ${r.k}×${r.k} s${r.stride} ${r.pad.toUpperCase()} ${x}`;
  const [kh, kw, ci, co] = r.f;
  return `${x} ${kh}×${kw} ${ci}→${co}${r.stride > 1 ? ` s${r.stride}` : ""} ${r.pad.toUpperCase()}`;
}

const key = (r) => JSON.stringify([r.op, r.x, r.f, r.k, r.stride, r.pad]);

/**
 * The groups above, a layer whose shape an earlier row already has dropped (its id goes to
 * that row's `also`), each row given its group and label.
 */
function build(groups) {
  const rows = [];
  const byKey = new Map();
  for (const [group, list] of groups) {
    for (const r of list) {
      const seen = byKey.get(key(r));
      if (seen) {
        seen.also.push(r.id);
        seen.quick ||= r.quick;
        continue;
      }
      const row = { ...r, group, label: label(r), also: [] };
      byKey.set(key(r), row);
      rows.push(row);
    }
  }
  return rows;
}

export const LAYERS = build([
  ["VGG16", vgg16], ["ResNet-18", resnet18], ["ResNet-50", resnet50], ["MobileNetV1", mobilenet],
  ["course convnet", course], ["YOLO-tiny", yolo], ["batch 8", batch8], ["image filter", filters],
  ["relu / maxPool", memory],
]);
