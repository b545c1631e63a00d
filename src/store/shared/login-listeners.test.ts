// onLoginChange's listeners: watched only while someone listens; a throwing listener is logged.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Logger } from "../../log/logger.js";
import { LoginListeners } from "./login-listeners.js";

test("watch with the first listener, unwatch after the last; one that throws does not stop the others", () => {
  const calls: string[] = [];
  const errors: string[] = [];
  const log = { error: (msg: string) => errors.push(msg) } as unknown as Logger;
  const l = new LoginListeners(
    log,
    () => calls.push("watch"),
    () => calls.push("unwatch"),
  );
  const heard: number[] = [];
  const offA = l.add(() => {
    throw new Error("boom");
  });
  const offB = l.add((id) => heard.push(id));
  assert.equal(l.size, 2);
  l.emit(7);
  assert.deepEqual(heard, [7]);
  assert.deepEqual(errors, ["login change listener failed"]);
  offA();
  assert.ok(!calls.includes("unwatch"), "one listener left");
  offB();
  assert.equal(l.size, 0);
  assert.equal(calls.at(-1), "unwatch");
  l.emit(8);
  assert.deepEqual(heard, [7], "nobody listens any more");
});
