// The clamd client against a real clamd (Debian's clamav-daemon) with our own one-signature
// database: EICAR is found, clean mail is clean, what clamd or our limit refuses and a clamd that
// is not there are "error" results, never a throw or a hang.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { commandSkip } from "../testing/requires.js";
import { parseClamdAddress, scan } from "./clamd.js";
import { eicar, eicarName, startTestClamd, type TestClamd } from "./test-clamd.js";

const skip = commandSkip("clamd", "clamav-daemon");

describe("clamd INSTREAM client", { skip }, () => {
  let clamd: TestClamd;
  before(async () => {
    clamd = await startTestClamd();
  });
  after(() => clamd?.stop());
  const opts = () => ({ address: clamd.socket, timeoutMs: 20_000, maxBytes: 25 * 1024 * 1024 });

  test("EICAR inside a message is found, by name", async () => {
    const body = Buffer.from(`Subject: test\r\n\r\nbefore\r\n${eicar}\r\nafter\r\n`);
    assert.deepEqual(await scan(body, opts()), { kind: "infected", name: eicarName });
  });

  test("a clean message, over several chunks, is clean", async () => {
    const body = Buffer.alloc(300 * 1024, "clean text line\r\n");
    assert.deepEqual(await scan(body, opts()), { kind: "clean" });
  });

  test("EICAR past the first chunk is found (the chunks join up)", async () => {
    const body = Buffer.concat([Buffer.alloc(64 * 1024 - 10, "a"), Buffer.from(eicar)]);
    assert.deepEqual(await scan(body, opts()), { kind: "infected", name: eicarName });
  });

  test("over maxBytes: an error, not clean, and nothing sent", async () => {
    const r = await scan(Buffer.alloc(2048, "x"), { ...opts(), maxBytes: 1024 });
    assert.equal(r.kind, "error");
    assert.match(r.kind === "error" ? r.detail : "", /over antivirus.maxBytes/);
  });
});

describe("clamd client failures", () => {
  test("nothing listening: an error naming the address", async () => {
    const r = await scan(Buffer.from("x"), {
      address: "/nonexistent/clamd.sock",
      timeoutMs: 2000,
      maxBytes: 1024,
    });
    assert.equal(r.kind, "error");
    assert.match(r.kind === "error" ? r.detail : "", /\/nonexistent\/clamd.sock/);
  });

  test("a server that never answers: an error after the timeout", async () => {
    const silent = createServer((s) => s.on("data", () => {}));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    const r = await scan(Buffer.from("x"), { address: `127.0.0.1:${port}`, timeoutMs: 200, maxBytes: 1024 });
    silent.close();
    assert.equal(r.kind, "error");
    assert.match(r.kind === "error" ? r.detail : "", /did not answer/);
  });

  test("a reply without a NUL that never ends is bounded", async () => {
    const chatty = createServer((s) => s.write(Buffer.alloc(8192, "a")));
    await new Promise<void>((r) => chatty.listen(0, "127.0.0.1", r));
    const port = (chatty.address() as { port: number }).port;
    const r = await scan(Buffer.from("x"), { address: `127.0.0.1:${port}`, timeoutMs: 5000, maxBytes: 1024 });
    chatty.close();
    assert.deepEqual(r, { kind: "error", detail: "clamd reply too long" });
  });

  test("addresses: host:port and [v6]:port are TCP, anything else a socket path", () => {
    assert.deepEqual(parseClamdAddress("127.0.0.1:3310"), { host: "127.0.0.1", port: 3310 });
    assert.deepEqual(parseClamdAddress("[::1]:3310"), { host: "::1", port: 3310 });
    assert.deepEqual(parseClamdAddress("/run/clamav/clamd.ctl"), { path: "/run/clamav/clamd.ctl" });
  });
});
