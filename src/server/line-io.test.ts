// LineIo (POP3, ManageSieve) over a real loopback connection: line limits, a line arriving an
// octet at a time, and bounded output to a client that stops reading.
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { ConnectionGone, LineIo } from "./line-io.js";

describe("LineIo", () => {
  let server: Server;
  let port = 0;
  const accepted: Socket[] = [];
  before(async () => {
    server = createServer({ allowHalfOpen: true }, (s) => accepted.push(s));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const a = server.address();
    port = typeof a === "object" && a ? a.port : 0;
  });
  after(async () => {
    for (const s of accepted) s.destroy();
    server.close();
  });

  async function pair(): Promise<{ client: Socket; serverSide: Socket }> {
    const before = accepted.length;
    const client = connect(port, "127.0.0.1");
    await once(client, "connect");
    for (let i = 0; i < 100 && accepted.length === before; i++) await new Promise((r) => setTimeout(r, 5));
    return { client, serverSide: accepted[accepted.length - 1]! };
  }

  test("splits lines, strips CR, reports over-long lines once and goes on", async () => {
    const { client, serverSide } = await pair();
    const io = new LineIo(serverSide, 16);
    client.write("NOOP\r\nSTAT\n");
    client.write(`${"x".repeat(40)}`);
    client.write(`${"y".repeat(40)}\r\nQUIT\r\n`);
    assert.deepEqual(await io.readLine(1000), { kind: "line", line: Buffer.from("NOOP") });
    assert.deepEqual(await io.readLine(1000), { kind: "line", line: Buffer.from("STAT") });
    assert.deepEqual(await io.readLine(1000), { kind: "too-long" });
    assert.deepEqual(await io.readLine(1000), { kind: "line", line: Buffer.from("QUIT") });
    assert.deepEqual(await io.readLine(50), { kind: "timeout" });
    client.end();
    assert.deepEqual(await io.readLine(1000), { kind: "closed" });
    client.destroy();
  });

  test("a line of exactly the limit (CRLF included) is accepted, one more octet is not", async () => {
    const { client, serverSide } = await pair();
    const io = new LineIo(serverSide, 16);
    client.write(`${"a".repeat(14)}\r\n${"b".repeat(15)}\r\n`);
    assert.deepEqual(await io.readLine(1000), { kind: "line", line: Buffer.from("a".repeat(14)) });
    assert.deepEqual(await io.readLine(1000), { kind: "too-long" });
    client.destroy();
  });

  test("a line sent an octet at a time, then one over the limit, then the next line", async () => {
    const { client, serverSide } = await pair();
    const io = new LineIo(serverSide, 16);
    const reading = io.readLine(5000);
    for (const c of "NOOP\r\n") {
      client.write(c);
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.deepEqual(await reading, { kind: "line", line: Buffer.from("NOOP") });
    // The limit is per read: a longer one for one line (a SASL response), the default after.
    client.write(`${"t".repeat(30)}\r\n${"u".repeat(30)}\r\nQUIT\r\n`);
    assert.deepEqual(await io.readLine(1000, 64), { kind: "line", line: Buffer.from("t".repeat(30)) });
    assert.deepEqual(await io.readLine(1000), { kind: "too-long" });
    assert.deepEqual(await io.readLine(1000), { kind: "line", line: Buffer.from("QUIT") });
    client.destroy();
  });

  test("a client that stops reading holds back the sender instead of growing its buffer", async () => {
    const { client, serverSide } = await pair();
    client.pause();
    const io = new LineIo(serverSide, 1024);
    const big = Buffer.alloc(32 * 1024 * 1024, 0x61);
    const outcome: { value: unknown } = { value: "pending" };
    const sending = io.send(["+OK\r\n", big, ".\r\n"], 1000).then(
      () => {
        outcome.value = "resolved";
      },
      (e: unknown) => {
        outcome.value = e;
      },
    );
    let maxBuffered = 0;
    for (let i = 0; i < 20 && outcome.value === "pending"; i++) {
      maxBuffered = Math.max(maxBuffered, serverSide.writableLength);
      await new Promise((r) => setTimeout(r, 10));
    }
    // Never sent in full. (Pending here on a quiet machine; on a loaded one the 20 samples may
    // outlast idleMs, and the sender has already given up below, which is as right.)
    assert.notEqual(outcome.value, "resolved");
    // At most about one 64 KiB chunk waits in user space; the rest stays unsent.
    assert.ok(maxBuffered <= 128 * 1024, `buffered ${maxBuffered}`);
    // No reader for idleMs: the sender gives up and drops the connection.
    await sending;
    const final: unknown = outcome.value;
    assert.ok(final instanceof ConnectionGone);
    assert.ok(serverSide.destroyed);
    client.destroy();
  });
});
