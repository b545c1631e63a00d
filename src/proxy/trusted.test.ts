import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, validateConfig } from "../config/load.js";
import { TrustedSources, trustedSourcesProblem } from "./trusted.js";

test("trusted sources: addresses and prefixes, IPv4 seen through a dual-stack socket", () => {
  const t = new TrustedSources(["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]);
  for (const ip of ["10.1.2.3", "::ffff:10.9.9.9", "192.0.2.7", "2001:db8:1::5"]) assert.ok(t.has(ip), ip);
  for (const ip of ["11.0.0.1", "192.0.2.8", "2001:db9::1", "", "not-an-ip"]) assert.ok(!t.has(ip), ip);
  assert.ok(!new TrustedSources([]).has("127.0.0.1"));
});

test("config: a bad trusted source or proxyProtocol value fails at load naming it", () => {
  assert.equal(trustedSourcesProblem(["10.0.0.0/8", "::1"]), null);
  assert.equal(trustedSourcesProblem(["10.0.0.0/33"]), '"10.0.0.0/33" is not an IP address or CIDR prefix');
  assert.throws(() => validateConfig({ proxy: { trustedSources: ["lb.example"] } }), ConfigError);
  const listeners = [{ protocol: "smtp", port: 25, proxyProtocol: true }];
  const proxy = { trustedSources: ["10.0.0.5"] };
  assert.equal(validateConfig({ listeners, proxy }).listeners[0]?.proxyProtocol, true);
  assert.throws(
    () => validateConfig({ listeners }),
    /listeners\[0\]\.proxyProtocol needs \[proxy\] trustedSources/,
  );
  assert.throws(
    () => validateConfig({ listeners: [{ protocol: "smtp", port: 25, proxyProtocol: "yes" }] }),
    /listeners\[0\]\.proxyProtocol must be true or false/,
  );
});
