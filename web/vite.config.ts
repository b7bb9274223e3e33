import { defineConfig } from "vite";

// Cross-origin isolation lets the page use SharedArrayBuffer, which simdconv's threads need;
// without it capabilities() reports threads off and says why.
export default defineConfig({
  server: {
    host: "127.0.0.1",
    headers: {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
    },
  },
});
