// Every autoconfig document parsed as XML and checked against the running configuration.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { defaultConfig, withOverrides } from "../config/load.js";
import type { Config, Protocol, TlsMode } from "../config/schema.js";
import { send, WebClient } from "../http/test-client.js";
import { startTestServer, type TestServer, testPassword } from "../testing/harness.js";
import { clientEndpoints } from "./endpoints.js";
import { srvRecords } from "./srv.js";

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", parseTagValue: false });
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The bound port of the running listener (protocol, tls). */
function portOf(config: Config, protocol: Protocol, tls: TlsMode): number {
  const l = config.listeners.find((x) => x.protocol === protocol && x.tls === tls);
  assert.ok(l && l.port > 0, `${protocol}/${tls} listener running`);
  return l.port;
}

interface TbServer {
  "@type": string;
  hostname: string;
  port: string;
  socketType: string;
  username: string;
  authentication: string;
}

describe("autoconfig documents", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ domains: ["example.test", "other.test"] });
  });
  after(() => srv.stop());

  const expected = (c: Config) => ({
    imap: [
      ["imap", "mail.example.test", String(portOf(c, "imap", "implicit")), "SSL"],
      ["imap", "mail.example.test", String(portOf(c, "imap", "starttls")), "STARTTLS"],
      ["pop3", "mail.example.test", String(portOf(c, "pop3", "implicit")), "SSL"],
      ["pop3", "mail.example.test", String(portOf(c, "pop3", "starttls")), "STARTTLS"],
    ],
    smtp: [
      ["smtp", "mail.example.test", String(portOf(c, "submission", "implicit")), "SSL"],
      ["smtp", "mail.example.test", String(portOf(c, "submission", "starttls")), "STARTTLS"],
    ],
  });

  for (const [label, host, path] of [
    ["autoconfig.DOMAIN", "autoconfig.other.test", "/mail/config-v1.1.xml?emailaddress=zoe%40other.test"],
    [
      "DOMAIN/.well-known",
      "other.test",
      "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=zoe%40other.test",
    ],
    ["Host only, no emailaddress", "autoconfig.other.test", "/mail/config-v1.1.xml"],
  ] as const) {
    test(`Thunderbird config-v1.1.xml via ${label} lists every service with the right TLS mode`, async () => {
      const res = await send({
        port: srv.ports.https!,
        ca: srv.certPem,
        servername: "mail.example.test",
        host,
        path,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers["content-type"], "application/xml; charset=utf-8");
      const doc = xml.parse(res.body);
      assert.equal(doc.clientConfig["@version"], "1.1");
      const p = doc.clientConfig.emailProvider;
      assert.equal(p["@id"], "other.test");
      assert.equal(p.domain, "other.test");
      const incoming = list<TbServer>(p.incomingServer);
      const outgoing = list<TbServer>(p.outgoingServer);
      const want = expected(srv.config);
      assert.deepEqual(
        incoming.map((s) => [s["@type"], s.hostname, s.port, s.socketType]),
        want.imap,
      );
      assert.deepEqual(
        outgoing.map((s) => [s["@type"], s.hostname, s.port, s.socketType]),
        want.smtp,
      );
      for (const s of [...incoming, ...outgoing]) {
        assert.equal(s.username, "%EMAILADDRESS%");
        assert.equal(s.authentication, "password-cleartext");
      }
    });
  }

  test("Thunderbird documents are served on plain HTTP too, and only for our domains", async () => {
    const ok = await send({
      port: srv.ports.http!,
      host: "autoconfig.example.test",
      path: "/mail/config-v1.1.xml",
    });
    assert.equal(ok.status, 200);
    assert.equal(xml.parse(ok.body).clientConfig.emailProvider.domain, "example.test");
    const foreign = await send({
      port: srv.ports.http!,
      host: "autoconfig.elsewhere.test",
      path: "/mail/config-v1.1.xml",
    });
    assert.equal(foreign.status, 404);
    const foreignEmail = await send({
      port: srv.ports.http!,
      host: "autoconfig.example.test",
      path: "/mail/config-v1.1.xml?emailaddress=x%40elsewhere.test",
    });
    assert.equal(foreignEmail.status, 404);
  });

  test("Autodiscover POX: request for our address gets IMAP, POP3 and SMTP settings", async () => {
    const body = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>alice@example.test</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request></Autodiscover>`;
    // Outlook capitalises the path; it must match whatever the case.
    const res = await send({
      port: srv.ports.https!,
      ca: srv.certPem,
      host: "autodiscover.example.test",
      servername: "mail.example.test",
      path: "/Autodiscover/Autodiscover.xml",
      method: "POST",
      headers: { "Content-Type": "text/xml" },
      body,
    });
    assert.equal(res.status, 200);
    const doc = xml.parse(res.body);
    assert.equal(
      doc.Autodiscover["@xmlns"],
      "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006",
    );
    const r = doc.Autodiscover.Response;
    assert.equal(
      r["@xmlns"],
      "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a",
    );
    assert.equal(r.Account.AccountType, "email");
    assert.equal(r.Account.Action, "settings");
    const protos = list<Record<string, string>>(r.Account.Protocol).map((p) => [
      p.Type,
      p.Server,
      p.Port,
      p.SSL,
      p.Encryption,
      p.LoginName,
    ]);
    const c = srv.config;
    assert.deepEqual(protos, [
      ["IMAP", "mail.example.test", String(portOf(c, "imap", "implicit")), "on", "SSL", "alice@example.test"],
      ["POP3", "mail.example.test", String(portOf(c, "pop3", "implicit")), "on", "SSL", "alice@example.test"],
      [
        "SMTP",
        "mail.example.test",
        String(portOf(c, "submission", "implicit")),
        "on",
        "SSL",
        "alice@example.test",
      ],
    ]);
  });

  test("Autodiscover for an address we do not host answers an Error, not settings", async () => {
    const res = await send({
      port: srv.ports.https!,
      ca: srv.certPem,
      host: "localhost",
      path: "/autodiscover/autodiscover.xml",
      method: "POST",
      body: "<Autodiscover><Request><EMailAddress>x@elsewhere.test</EMailAddress></Request></Autodiscover>",
    });
    assert.equal(res.status, 200);
    const doc = xml.parse(res.body);
    assert.equal(doc.Autodiscover.Response.Error.ErrorCode, "600");
    assert.equal(doc.Autodiscover.Response.Account, undefined);
  });

  test("the Apple profile is only for a logged-in user, and is a plist with a mail payload", async () => {
    const anon = await send({
      port: srv.ports.https!,
      ca: srv.certPem,
      host: "localhost",
      path: "/settings/mail.mobileconfig",
    });
    assert.equal(anon.status, 303);
    assert.equal(anon.headers.location, "/login?next=%2Fsettings%2Fmail.mobileconfig");

    const web = new WebClient(srv.ports.https!, srv.certPem);
    assert.equal((await web.login("alice@example.test", testPassword)).status, 303);
    const settings = await web.get("/settings");
    assert.match(settings.body, /href="\/settings\/mail\.mobileconfig"/);
    // People who set up a Sieve client by hand (Roundcube, Thunderbird's sieve add-on) find it here.
    assert.ok(
      settings.body.includes(
        `<tr><td>ManageSieve (mail filters)</td><td><code>mail.example.test</code></td><td>${srv.ports.managesieve}</td><td>STARTTLS</td></tr>`,
      ),
    );
    const res = await web.get("/settings/mail.mobileconfig");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/x-apple-aspen-config");
    assert.match(
      res.body,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist PUBLIC "-\/\/Apple\/\/DTD PLIST 1\.0\/\/EN"/,
    );
    const profile = plistFromText(res.body);
    assert.equal(profile.PayloadType, "Configuration");
    assert.equal(profile.PayloadVersion, 1);
    assert.match(
      String(profile.PayloadUUID),
      /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-8[0-9A-F]{3}-[0-9A-F]{12}$/,
    );
    const payloads = profile.PayloadContent as Record<string, unknown>[];
    assert.equal(payloads.length, 1);
    const mail = payloads[0]!;
    const c = srv.config;
    assert.deepEqual(
      {
        type: mail.PayloadType,
        account: mail.EmailAccountType,
        address: mail.EmailAddress,
        inHost: mail.IncomingMailServerHostName,
        inPort: mail.IncomingMailServerPortNumber,
        inSsl: mail.IncomingMailServerUseSSL,
        inUser: mail.IncomingMailServerUsername,
        outHost: mail.OutgoingMailServerHostName,
        outPort: mail.OutgoingMailServerPortNumber,
        outSsl: mail.OutgoingMailServerUseSSL,
        outUser: mail.OutgoingMailServerUsername,
      },
      {
        type: "com.apple.mail.managed",
        account: "EmailTypeIMAP",
        address: "alice@example.test",
        inHost: "mail.example.test",
        inPort: portOf(c, "imap", "implicit"),
        inSsl: true,
        inUser: "alice@example.test",
        outHost: "mail.example.test",
        outPort: portOf(c, "submission", "implicit"),
        outSsl: true,
        outUser: "alice@example.test",
      },
    );
  });
});

// Plist in document order (a <dict> alternates <key> and value elements).
type Node = Record<string, unknown>;
const ordered = new XMLParser({ preserveOrder: true, parseTagValue: false, ignoreDeclaration: true });

function plistFromText(text: string): Record<string, unknown> {
  const top = ordered.parse(text) as Node[];
  const plist = top.find((n) => "plist" in n)?.plist as Node[];
  const dict = plist.find((n) => "dict" in n);
  assert.ok(dict, "plist has a top-level dict");
  return plistNode(dict) as Record<string, unknown>;
}

function textOf(children: unknown): string {
  return ((children as Node[])[0]?.["#text"] as string | undefined) ?? "";
}

function plistNode(n: Node): unknown {
  const [tag] = Object.keys(n).filter((k) => k !== ":@");
  const children = n[tag!] as Node[];
  switch (tag) {
    case "string":
      return textOf(children);
    case "integer":
      return Number(textOf(children));
    case "true":
      return true;
    case "false":
      return false;
    case "array":
      return children.map(plistNode);
    case "dict": {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < children.length; i += 2) {
        const k = children[i];
        const v = children[i + 1];
        assert.ok(k && "key" in k && v, "dict alternates key and value");
        out[textOf(k.key)] = plistNode(v);
      }
      return out;
    }
    default:
      throw new Error(`unexpected plist element ${tag}`);
  }
}

describe("client endpoints from config", () => {
  test("[autoconfig] ports and host name override the listeners; STARTTLS can be left out", () => {
    const base = defaultConfig();
    const e = clientEndpoints(base);
    assert.deepEqual(
      e.imap.map((x) => [x.hostname, x.port, x.socket]),
      [
        ["localhost", 1993, "SSL"],
        ["localhost", 1143, "STARTTLS"],
      ],
    );
    const c = withOverrides(base, {
      autoconfig: { hostname: "MX.Example.org", imapPort: 993, submissionPort: 465, offerStartTls: false },
    });
    const o = clientEndpoints(c);
    assert.deepEqual(o.imap, [{ service: "imap", hostname: "mx.example.org", port: 993, socket: "SSL" }]);
    assert.deepEqual(o.submission, [
      { service: "submission", hostname: "mx.example.org", port: 465, socket: "SSL" },
    ]);
    assert.deepEqual(o.pop3, [{ service: "pop3", hostname: "mx.example.org", port: 1995, socket: "SSL" }]);
  });

  test("SRV records (RFC 6186, RFC 8314 §5.1): implicit TLS preferred, missing services as '.'", () => {
    const c = withOverrides(defaultConfig(), {
      autoconfig: { hostname: "mx.example.org" },
      listeners: [
        { protocol: "imap", address: "0.0.0.0", port: 993, tls: "implicit" },
        { protocol: "submission", address: "0.0.0.0", port: 465, tls: "implicit" },
        { protocol: "submission", address: "0.0.0.0", port: 587, tls: "starttls" },
      ],
    });
    assert.deepEqual(srvRecords(clientEndpoints(c), "example.org"), [
      { name: "_imaps._tcp.example.org", priority: 0, weight: 1, port: 993, target: "mx.example.org" },
      { name: "_imap._tcp.example.org", priority: 0, weight: 0, port: 0, target: "." },
      { name: "_pop3s._tcp.example.org", priority: 0, weight: 0, port: 0, target: "." },
      { name: "_pop3._tcp.example.org", priority: 0, weight: 0, port: 0, target: "." },
      { name: "_submissions._tcp.example.org", priority: 0, weight: 1, port: 465, target: "mx.example.org" },
      { name: "_submission._tcp.example.org", priority: 10, weight: 1, port: 587, target: "mx.example.org" },
      { name: "_sieve._tcp.example.org", priority: 0, weight: 0, port: 0, target: "." },
    ]);
    // RFC 5804 §1.8: ManageSieve's SRV record names its STARTTLS listener.
    const withSieve = withOverrides(c, {
      listeners: [
        ...c.listeners,
        { protocol: "managesieve", address: "0.0.0.0", port: 4190, tls: "starttls" },
      ],
    });
    assert.deepEqual(srvRecords(clientEndpoints(withSieve), "example.org").at(-1), {
      name: "_sieve._tcp.example.org",
      priority: 0,
      weight: 1,
      port: 4190,
      target: "mx.example.org",
    });
  });
});
