import assert from "node:assert/strict";
import { test } from "node:test";
import { V8_INTERRUPT_BUDGET, workerExecArgv } from "./exec-argv.js";

test("each worker gets V8's tier-up budget divided by the workers, or the configured one; the supervisor's own is kept", () => {
  // What a bench's server child starts with (bin/yubin.js registers the loader itself: no flags).
  const base = ["--import", "./scripts/ts-loader/register.mjs"];
  assert.deepEqual(workerExecArgv({ execArgv: base, workers: 2, budget: 0 }), [
    "--import",
    "./scripts/ts-loader/register.mjs",
    `--interrupt-budget=${V8_INTERRUPT_BUDGET / 2}`,
  ]);
  assert.deepEqual(workerExecArgv({ execArgv: base, workers: 4, budget: 0 }), [
    ...base,
    "--interrupt-budget=16896",
  ]);
  assert.deepEqual(workerExecArgv({ execArgv: base, workers: 2, budget: 10000 }), [
    ...base,
    "--interrupt-budget=10000",
  ]);
  assert.deepEqual(workerExecArgv({ execArgv: base, workers: 1, budget: 0 }), base);
  const own = [...base, "--interrupt-budget=5000"];
  assert.deepEqual(workerExecArgv({ execArgv: own, workers: 2, budget: 0 }), own);
});
