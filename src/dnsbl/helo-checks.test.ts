// HELO/EHLO name sanity (RFC 5321 §4.1.1.1, §4.1.3), as a table.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHelo } from "./helo-checks.js";

test("HELO names: ours is refused, bare IPs and non-FQDNs scored, FQDNs and literals fine", () => {
  const ours = { hostname: "mx.example.com", localIp: "192.0.2.25", clientIp: "198.51.100.9" };
  for (const [name, want] of [
    ["mx.example.com", "helo-claims-us"],
    ["MX.Example.Com.", "helo-claims-us"],
    ["[192.0.2.25]", "helo-claims-us"],
    ["192.0.2.7", "helo-bare-ip"],
    ["localhost", "helo-not-fqdn"],
    ["bad..example", "helo-not-fqdn"],
    ["[not-an-ip]", "helo-not-fqdn"],
    ["mail.sender.example", null],
    ["[192.0.2.7]", null],
    ["[IPv6:2001:db8::1]", null],
  ] as const)
    assert.equal(checkHelo(name, ours), want, name);
  // A loopback client saying [127.0.0.1] to a server on 127.0.0.1 is a local tool, not a liar.
  assert.equal(
    checkHelo("[127.0.0.1]", { hostname: "mx.example.com", localIp: "127.0.0.1", clientIp: "127.0.0.1" }),
    null,
  );
  // A client on our own address using our name is this machine (another node relaying to us).
  assert.equal(
    checkHelo("mx.example.com", {
      hostname: "mx.example.com",
      localIp: "192.0.2.25",
      clientIp: "192.0.2.25",
    }),
    null,
  );
});
