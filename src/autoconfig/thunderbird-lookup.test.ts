// Tried as a new user would: Thunderbird's autoconfig lookup sequence, against our server, with
// every host name mapped to 127.0.0.1 (port 443 → our HTTPS listener, 80 → our HTTP one) and
// TLS verified as Thunderbird does (a certificate not naming the host = URL unavailable). The
// first document found must be a working configuration: every server it lists accepts the
// user's login with the TLS mode it states, verified against the certificate for its host name.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { XMLParser } from "fast-xml-parser";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import selfsigned from "selfsigned";
import { send } from "../http/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";

interface Found {
  url: string;
  body: string;
}

/** Thunderbird's order after its install-dir files: the domain's autoconfig host over HTTPS then
 *  HTTP, then the well-known URL on the domain itself (HTTPS, HTTP); then the ISPDB and the
 *  MX-based ISPDB lookup (not reached here, they are on the Internet). */
function thunderbirdUrls(email: string): string[] {
  const domain = email.slice(email.lastIndexOf("@") + 1);
  const q = `?emailaddress=${encodeURIComponent(email)}`;
  return [
    `https://autoconfig.${domain}/mail/config-v1.1.xml${q}`,
    `http://autoconfig.${domain}/mail/config-v1.1.xml${q}`,
    `https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml${q}`,
    `http://${domain}/.well-known/autoconfig/mail/config-v1.1.xml${q}`,
    `https://autoconfig.thunderbird.net/v1.1/${domain}`,
  ];
}

/** Walk the URLs in order; returns the tried URLs and the first valid clientConfig. */
async function lookup(srv: TestServer, email: string): Promise<{ tried: string[]; found: Found | null }> {
  const tried: string[] = [];
  for (const raw of thunderbirdUrls(email)) {
    const url = new URL(raw);
    // Only names of the mail domain are "resolved" to us; anything else (the ISPDB) would be
    // the Internet, which a test never contacts.
    if (!url.hostname.endsWith("example.test")) break;
    tried.push(raw);
    const https = url.protocol === "https:";
    try {
      const res = await send({
        port: https ? srv.ports.https! : srv.ports.http!,
        ca: https ? srv.certPem : undefined,
        host: url.hostname,
        path: url.pathname + url.search,
        timeoutMs: 5000,
      });
      if (res.status === 200 && res.body.includes("<clientConfig"))
        return { tried, found: { url: raw, body: res.body } };
    } catch {
      // TLS failure or refused connection: Thunderbird silently tries the next URL.
    }
  }
  return { tried, found: null };
}

interface ServerEntry {
  "@type": string;
  hostname: string;
  port: string;
  socketType: "SSL" | "STARTTLS" | "plain";
  username: string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", parseTagValue: false });
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

async function checkImap(srv: TestServer, s: ServerEntry, user: string): Promise<void> {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port: Number(s.port),
    secure: s.socketType === "SSL",
    doSTARTTLS: s.socketType === "STARTTLS" ? true : undefined,
    tls: { ca: srv.certPem, servername: s.hostname },
    auth: { user, pass: testPassword },
    logger: false,
  });
  await client.connect();
  const box = await client.mailboxOpen("INBOX");
  assert.equal(box.path, "INBOX");
  await client.logout();
}

async function checkPop3(srv: TestServer, s: ServerEntry, user: string): Promise<void> {
  const tlsOpts = { ca: srv.certPem, servername: s.hostname };
  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const sock =
        s.socketType === "SSL"
          ? tlsConnect({ host: "127.0.0.1", port: Number(s.port), ...tlsOpts }, () => resolve(sock))
          : netConnect({ host: "127.0.0.1", port: Number(s.port) }, () => resolve(sock));
      sock.once("error", reject);
    });
  let sock: Socket | TLSSocket = await open();
  let buf = "";
  const line = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pop3 timeout, got ${JSON.stringify(buf)}`)), 5000);
      const tryTake = () => {
        const i = buf.indexOf("\r\n");
        if (i < 0) return;
        sock.off("data", onData);
        clearTimeout(timer);
        const l = buf.slice(0, i);
        buf = buf.slice(i + 2);
        resolve(l);
      };
      const onData = (d: Buffer) => {
        buf += d.toString("utf8");
        tryTake();
      };
      sock.on("data", onData);
      tryTake();
    });
  const cmd = async (c: string) => {
    sock.write(`${c}\r\n`);
    return line();
  };
  assert.match(await line(), /^\+OK/);
  if (s.socketType === "STARTTLS") {
    assert.match(await cmd("STLS"), /^\+OK/);
    const plain = sock;
    sock = await new Promise<TLSSocket>((resolve, reject) => {
      const t = tlsConnect({ socket: plain, ...tlsOpts }, () => resolve(t));
      t.once("error", reject);
    });
  }
  assert.match(await cmd(`USER ${user}`), /^\+OK/);
  assert.match(await cmd(`PASS ${testPassword}`), /^\+OK/);
  assert.match(await cmd("QUIT"), /^\+OK/);
  sock.destroy();
}

async function checkSmtp(srv: TestServer, s: ServerEntry, user: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: Number(s.port),
    secure: s.socketType === "SSL",
    requireTLS: s.socketType === "STARTTLS",
    tls: { ca: srv.certPem, servername: s.hostname },
    auth: { user, pass: testPassword },
  });
  try {
    const info = await transport.sendMail({
      from: user,
      to: user,
      subject: "set up by autoconfig",
      text: "hello",
    });
    assert.deepEqual(info.accepted, [user]);
  } finally {
    transport.close();
  }
}

/** Use every server of the document with the user's address and password. */
async function useConfig(srv: TestServer, body: string, email: string): Promise<string[]> {
  const p = parser.parse(body).clientConfig.emailProvider;
  const used: string[] = [];
  for (const s of [...list<ServerEntry>(p.incomingServer), ...list<ServerEntry>(p.outgoingServer)]) {
    assert.notEqual(s.socketType, "plain", "never advertise a plaintext server");
    const user = s.username.replace("%EMAILADDRESS%", email);
    if (s["@type"] === "imap") await checkImap(srv, s, user);
    else if (s["@type"] === "pop3") await checkPop3(srv, s, user);
    else if (s["@type"] === "smtp") await checkSmtp(srv, s, user);
    else assert.fail(`unexpected server type ${s["@type"]}`);
    used.push(`${s["@type"]}/${s.socketType}`);
  }
  return used;
}

const ALL_SERVICES = ["imap/SSL", "imap/STARTTLS", "pop3/SSL", "pop3/STARTTLS", "smtp/SSL", "smtp/STARTTLS"];

describe("Thunderbird lookup, self-signed certificate for the mail host only", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.stop());

  test("https://autoconfig.DOMAIN fails TLS, http://autoconfig.DOMAIN answers a working config", async () => {
    const email = "alice@example.test";
    const { tried, found } = await lookup(srv, email);
    assert.deepEqual(tried, thunderbirdUrls(email).slice(0, 2));
    assert.equal(
      found?.url,
      `http://autoconfig.example.test/mail/config-v1.1.xml?emailaddress=alice%40example.test`,
    );
    assert.deepEqual(await useConfig(srv, found.body, email), ALL_SERVICES);
  });
});

describe("Thunderbird lookup, certificate covering autoconfig.DOMAIN", () => {
  let srv: TestServer;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "yubin-cert-"));
    const pems = await selfsigned.generate([{ name: "commonName", value: "mail.example.test" }], {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      extensions: [
        {
          name: "subjectAltName",
          altNames: ["mail.example.test", "autoconfig.example.test", "example.test"].map((value) => ({
            type: 2 as const,
            value,
          })),
        },
      ],
    });
    await writeFile(join(dir, "cert.pem"), pems.cert);
    await writeFile(join(dir, "key.pem"), pems.private);
    srv = await startTestServer({
      config: { tls: { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") } },
    });
  });
  after(async () => {
    await srv.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("the first URL Thunderbird asks already answers a working config", async () => {
    const email = "bob@example.test";
    const { tried, found } = await lookup(srv, email);
    assert.deepEqual(tried, thunderbirdUrls(email).slice(0, 1));
    assert.deepEqual(await useConfig(srv, found!.body, email), ALL_SERVICES);
  });
});
