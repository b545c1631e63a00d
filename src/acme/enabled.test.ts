import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig } from "../config/load.js";
import type { ListenerConfig } from "../config/schema.js";
import { acmeEnabled, usableChallenges } from "./enabled.js";

const http = (port: number, tls: "none" | "implicit"): ListenerConfig => ({
  protocol: "http",
  address: "0.0.0.0",
  port,
  tls,
});

function config(o: {
  hostname?: string;
  listeners?: ListenerConfig[];
  cert?: string;
  mode?: "auto" | "on" | "off";
}) {
  const c = defaultConfig();
  c.server.hostname = o.hostname ?? "mail.example.com";
  c.listeners = o.listeners ?? [http(80, "none"), http(443, "implicit")];
  c.tls.cert = o.cert ?? "";
  c.tls.key = o.cert ? "/etc/key.pem" : "";
  c.acme.enabled = o.mode ?? "auto";
  return c;
}

test('"auto": a public host name, no certificate of the admin, and HTTP on 80 or HTTPS on 443', () => {
  assert.equal(acmeEnabled(config({})), true);
  assert.equal(acmeEnabled(config({ listeners: [http(443, "implicit")] })), true);
  assert.equal(acmeEnabled(config({ listeners: [http(80, "none")] })), true);
  assert.equal(acmeEnabled(config({ listeners: [http(8080, "none"), http(8443, "implicit")] })), false);
  for (const hostname of ["localhost", "mail.example.test", "192.0.2.1", "box.local", "mail"])
    assert.equal(acmeEnabled(config({ hostname })), false, hostname);
  assert.equal(acmeEnabled(config({ cert: "/etc/cert.pem" })), false);
  // The default config (localhost, port 8080) never asks a CA.
  assert.equal(acmeEnabled(defaultConfig()), false);
});

test('"on" and "off" as said', () => {
  assert.equal(acmeEnabled(config({ mode: "on", hostname: "localhost", listeners: [] })), true);
  assert.equal(acmeEnabled(config({ mode: "off" })), false);
});

test("challenges: HTTP-01 needs a plain-HTTP listener, TLS-ALPN-01 an HTTPS one, in the configured order", () => {
  assert.deepEqual(usableChallenges(config({})), ["http-01", "tls-alpn-01"]);
  assert.deepEqual(usableChallenges(config({ listeners: [http(443, "implicit")] })), ["tls-alpn-01"]);
  const c = config({});
  c.acme.challenges = ["tls-alpn-01", "http-01"];
  assert.deepEqual(usableChallenges(c), ["tls-alpn-01", "http-01"]);
});
