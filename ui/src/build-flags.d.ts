// Replaced at build time by vite.config.ts (`define`); see there.

/** True in test builds (`vite build --mode test`): the mock backend and the perf hooks. */
declare const __JUNCTION_TEST_BUILD__: boolean;
