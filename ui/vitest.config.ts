import { defineConfig } from "vitest/config";

export default defineConfig({
  // Unit tests see the test build (vite.config.ts explains the flag).
  define: { __JUNCTION_TEST_BUILD__: "true" },
  test: {
    include: ["tests/unit/**/*.test.ts"],
    environment: "node",
  },
});
