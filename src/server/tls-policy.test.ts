// One TLS policy on every listener (tls.ts tlsPolicy): a CBC/SHA-1 suite is refused on SMTP
// STARTTLS, submissions, IMAPS, POP3S and HTTPS alike, and a modern AEAD suite is accepted.
import assert from "node:assert/strict";
import { connect as netConnect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { startTestServer, type TestServer } from "../testing/harness.js";

/** Reads from `sock` until `done` says the text so far is complete (5 s at most). */
function readUntil(sock: Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => finish(new Error(`timeout, got ${JSON.stringify(text)}`)), 5000);
    const onData = (c: Buffer) => {
      text += c.toString("latin1");
      if (done(text)) finish(null);
    };
    const onError = (e: Error) => finish(e);
    const finish = (e: Error | null) => {
      clearTimeout(timer);
      sock.off("data", onData);
      sock.off("error", onError);
      if (e) reject(e);
      else resolve(text);
    };
    sock.on("data", onData);
    sock.on("error", onError);
  });
}

/** A plain SMTP connection that has been answered 220 to STARTTLS (RFC 3207). */
async function smtpStarttls(port: number): Promise<Socket> {
  const sock = netConnect({ host: "127.0.0.1", port });
  await readUntil(sock, (t) => /^220 /m.test(t));
  sock.write("EHLO client.example\r\n");
  await readUntil(sock, (t) => /^250 /m.test(t));
  sock.write("STARTTLS\r\n");
  await readUntil(sock, (t) => /^220 /m.test(t));
  return sock;
}

interface Suite {
  ciphers: string;
  maxVersion?: "TLSv1.2" | "TLSv1.3";
}

/** The negotiated cipher, or the handshake's error. */
function handshake(ca: string, target: { port: number } | { socket: Socket }, suite: Suite): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({
      ...("port" in target ? { host: "127.0.0.1", port: target.port } : { socket: target.socket }),
      ca,
      servername: "mail.example.test",
      ciphers: suite.ciphers,
      ...(suite.maxVersion ? { maxVersion: suite.maxVersion } : {}),
      timeout: 5000,
    });
    s.once("secureConnect", () => {
      const name = s.getCipher().name;
      s.destroy();
      resolve(name);
    });
    s.once("timeout", () => s.destroy(new Error("handshake timeout")));
    s.once("error", reject);
  });
}

describe("TLS policy on every listener", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.stop());

  const targets = (): [string, () => Promise<{ port: number } | { socket: Socket }>][] => [
    ["smtp STARTTLS", async () => ({ socket: await smtpStarttls(srv.ports.smtp) })],
    ["submission STARTTLS", async () => ({ socket: await smtpStarttls(srv.ports.submission) })],
    ["submissions", async () => ({ port: srv.ports.submissions })],
    ["imaps", async () => ({ port: srv.ports.imaps! })],
    ["pop3s", async () => ({ port: srv.ports.pop3s })],
    ["https", async () => ({ port: srv.ports.https! })],
  ];

  test("a CBC/SHA-1 suite is refused everywhere", async () => {
    for (const [name, target] of targets()) {
      await assert.rejects(
        handshake(srv.certPem, await target(), { ciphers: "ECDHE-ECDSA-AES128-SHA", maxVersion: "TLSv1.2" }),
        (e: Error) => e.message !== "handshake timeout",
        name,
      );
    }
  });

  test("TLS 1.2 with AES-GCM or ChaCha20, and TLS 1.3, are accepted everywhere", async () => {
    for (const [name, target] of targets()) {
      for (const ciphers of ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"])
        assert.equal(
          await handshake(srv.certPem, await target(), { ciphers, maxVersion: "TLSv1.2" }),
          ciphers,
          name,
        );
      assert.match(
        await handshake(srv.certPem, await target(), { ciphers: "TLS_AES_128_GCM_SHA256" }),
        /^TLS_AES/,
        name,
      );
    }
  });
});
