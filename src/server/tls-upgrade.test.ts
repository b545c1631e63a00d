// The one TLS upgrade every line protocol uses (tls-upgrade.ts): a handshake that completes gives a
// working TLS socket; one that fails — plaintext instead of a ClientHello, a client that leaves, a
// client that says nothing — ends that connection only (both sockets destroyed), with a typed
// error and no unhandled 'error' event, and the listener goes on serving the next client.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createSecureContext, type SecureContext, type TLSSocket, connect as tlsConnect } from "node:tls";
import { ensureSelfSigned } from "./tls.js";
import { TlsHandshakeError, tlsInfo, upgradeToTls } from "./tls-upgrade.js";

interface Outcome {
  raw: Socket;
  result: Promise<TLSSocket>;
}

describe("upgradeToTls", () => {
  let dir: string;
  let context: SecureContext;
  let server: Server;
  let port: number;
  let timeoutMs = 5000;
  const accepted: Outcome[] = [];
  const uncaught: Error[] = [];
  const onUncaught = (e: Error) => uncaught.push(e);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "yubin-tls-upgrade-"));
    const paths = await ensureSelfSigned(dir, "localhost");
    context = createSecureContext({
      cert: await readFile(paths.cert, "utf8"),
      key: await readFile(paths.key, "utf8"),
    });
    process.on("uncaughtException", onUncaught);
    server = createServer((raw) => {
      const result = upgradeToTls(raw, context, timeoutMs);
      result.catch(() => {}); // inspected by the test
      accepted.push({ raw, result });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const addr = server.address();
    port = typeof addr === "object" && addr ? addr.port : 0;
  });

  after(async () => {
    process.off("uncaughtException", onUncaught);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  /** The server side of the next accepted connection. */
  async function nextAccepted(count: number): Promise<Outcome> {
    for (let i = 0; i < 250 && accepted.length < count; i++) await new Promise((r) => setTimeout(r, 20));
    const o = accepted[count - 1];
    assert.ok(o, "connection accepted");
    return o;
  }

  /** Resolves when the client socket is closed by the server (5 s at most). */
  function closedByServer(sock: Socket): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      sock.on("error", () => {});
      sock.once("close", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async function expectFailure(o: Outcome, reason: string): Promise<void> {
    const e = await o.result.then(
      () => null,
      (err: unknown) => err,
    );
    assert.ok(e instanceof TlsHandshakeError, `typed error, got ${String(e)}`);
    assert.equal(e.reason, reason);
    assert.equal(o.raw.destroyed, true, "the plain socket is destroyed too");
  }

  test("a completed handshake gives a TLS socket that carries data", async () => {
    const client = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    client.on("error", () => {});
    const o = await nextAccepted(1);
    const secure = await o.result;
    assert.match(tlsInfo(secure).protocol, /^TLSv1\.[23]$/);
    secure.write("hello\r\n");
    const got = await new Promise<string>((resolve) =>
      client.once("data", (b: Buffer) => resolve(b.toString())),
    );
    assert.equal(got, "hello\r\n");
    client.destroy();
    secure.destroy();
  });

  test("plaintext instead of a ClientHello: rejected, that connection closed", async () => {
    const client = netConnect({ host: "127.0.0.1", port });
    const closed = closedByServer(client);
    client.write("EHLO client.example\r\nMAIL FROM:<a@b.example>\r\n");
    await expectFailure(await nextAccepted(2), "error");
    assert.equal(await closed, true);
  });

  test("the client leaves during the handshake: rejected as closed", async () => {
    const client = netConnect({ host: "127.0.0.1", port });
    client.on("error", () => {});
    await nextAccepted(3);
    client.destroy();
    await expectFailure(await nextAccepted(3), "closed");
  });

  test("a client that sends nothing is dropped at the timeout", async () => {
    timeoutMs = 150;
    const client = netConnect({ host: "127.0.0.1", port });
    const closed = closedByServer(client);
    await expectFailure(await nextAccepted(4), "timeout");
    assert.equal(await closed, true);
    timeoutMs = 5000;
  });

  test("after the failures the next client is served, and nothing was unhandled", async () => {
    const client = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    client.on("error", () => {});
    const secure = await (await nextAccepted(5)).result;
    assert.equal(secure.encrypted, true);
    client.destroy();
    secure.destroy();
    assert.deepEqual(uncaught, []);
  });
});
