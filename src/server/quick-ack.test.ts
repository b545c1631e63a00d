import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { connect, createServer, type Server, Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { TLSSocket } from "node:tls";
import { quickAck, quickAckAvailable, quickAckState } from "./quick-ack.js";

const linux = process.platform === "linux";
const sockopt = createRequire(import.meta.url)("sockopt") as {
  setsockopt(socket: Socket, level: number, name: number, value: number): void;
};
const IPPROTO_TCP = 6;
const TCP_QUICKACK = 12;

describe("quickAck (TCP_QUICKACK)", { skip: linux ? false : "TCP_QUICKACK is Linux's" }, () => {
  let server: Server;
  let accepted: Promise<Socket>;
  let client: Socket;

  before(async () => {
    server = createServer();
    accepted = new Promise((resolve) => server.once("connection", resolve));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    client = connect(port, "127.0.0.1");
    await new Promise((resolve) => client.once("connect", resolve));
  });
  after(() => {
    client.destroy();
    server.close();
  });

  test("the addon is loaded on Linux (the fix for the 40 ms literal stall depends on it)", () => {
    assert.equal(quickAckAvailable, true);
  });

  // Deterministic: TCP_QUICKACK 0 puts a socket in delayed-ACK mode (tcp(7)); quickAck must take
  // it out, which is what makes Linux acknowledge what was read at once.
  test("takes a plain socket out of delayed-ACK mode", async () => {
    const s = await accepted;
    sockopt.setsockopt(s, IPPROTO_TCP, TCP_QUICKACK, 0);
    assert.equal(quickAckState(s), 0);
    quickAck(s);
    assert.equal(quickAckState(s), 1);
  });

  test("reaches the TCP socket under a TLSSocket (IMAPS, after STARTTLS)", async () => {
    const raw = await accepted;
    const tls = new TLSSocket(raw, { isServer: true });
    tls.on("error", () => {});
    sockopt.setsockopt(raw, IPPROTO_TCP, TCP_QUICKACK, 0);
    assert.equal(quickAckState(raw), 0);
    quickAck(tls);
    assert.equal(quickAckState(raw), 1);
  });

  test("a socket without a descriptor is skipped, not an error", () => {
    const s = new Socket(); // never connected
    quickAck(s);
    assert.equal(quickAckState(s), null);
  });
});
