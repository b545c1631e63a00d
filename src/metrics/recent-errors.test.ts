import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../log/logger.js";
import { RecentErrors, recordingLogger } from "./recent-errors.js";

test("recent errors: warnings and errors of the logger and its children, bounded, no secrets", () => {
  const recent = new RecentErrors(3);
  const log = recordingLogger(silentLogger, recent);
  log.info("not kept");
  log.warn("first", { n: 1 });
  const child = log.child({ proto: "smtp" });
  child.error("second", { password: "hunter2", err: new Error("boom"), big: { a: 1 }, s: "x".repeat(500) });
  child.warn("third");
  child.error("fourth");
  const list = recent.list();
  assert.deepEqual(
    list.map((e) => e.msg),
    ["second", "third", "fourth"],
    "the oldest goes first once full",
  );
  assert.deepEqual(Object.keys(list[0]!.fields).sort(), ["err", "proto", "s"]);
  assert.equal(list[0]!.fields.err, "boom");
  assert.equal(String(list[0]!.fields.s).length, 200);
  assert.equal(list[2]!.level, "error");
});
