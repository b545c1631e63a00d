// The [dnsbl] zone syntax (postscreen_dnsbl_sites) and RFC 5782 answer classes, as tables.
import assert from "node:assert/strict";
import { test } from "node:test";
import { validateConfig } from "../config/load.js";
import { classifyAnswer, matches, parseZoneSpec, type ZoneSpec } from "./zone-spec.js";

const spec = (t: string): ZoneSpec => {
  const r = parseZoneSpec(t);
  if (typeof r === "string") throw new Error(r);
  return r;
};

test("entries parse into zone, pattern and weight", () => {
  assert.deepEqual(
    { ...spec("Zen.Example.org"), pattern: null },
    { text: "Zen.Example.org", zone: "zen.example.org", pattern: null, weight: 1 },
  );
  assert.equal(spec("bl.example*reject").weight, "reject");
  assert.equal(spec("wl.example=127.0.[0..255].[1..3]*-5").weight, -5);
  const s = spec("bl.example=127.0.0.[2..3;9]*3");
  assert.equal(s.weight, 3);
  for (const [ip, want] of [
    ["127.0.0.2", true],
    ["127.0.0.3", true],
    ["127.0.0.9", true],
    ["127.0.0.4", false],
    ["127.0.1.2", false],
    ["127.255.255.254", false],
    ["10.0.0.2", false],
  ] as const)
    assert.equal(matches(s, ip), want, ip);
});

test("malformed entries are refused with the entry named", () => {
  for (const bad of [
    "",
    "nodot",
    "bl.example=127.0.0",
    "bl.example=128.0.0.2",
    "bl.example=127.0.0.[9..2]",
    "bl.example=127.0.0.256",
    "bl.example*0",
    "bl.example*abc",
    "bad_zone!.example",
  ]) {
    const r = parseZoneSpec(bad);
    assert.equal(typeof r, "string", bad);
    assert.ok((r as string).includes(`"${bad}"`), r as string);
  }
});

test("answers: 127/8 are listings, 127.255.255.x is a refused query, others invalid (RFC 5782 §2.1)", () => {
  assert.equal(classifyAnswer("127.0.0.2"), "listing");
  assert.equal(classifyAnswer("127.255.255.254"), "refused");
  assert.equal(classifyAnswer("127.255.255.252"), "refused");
  assert.equal(classifyAnswer("8.8.8.8"), "invalid");
  assert.equal(classifyAnswer("::1"), "invalid");
});

test("a bad zone or network fails the config load, naming the key", () => {
  assert.throws(
    () => validateConfig({ dnsbl: { ipZones: ["bl.example=127.0.0"] } }),
    /dnsbl\.ipZones: "bl\.example=127\.0\.0": pattern "127\.0\.0" must have four octets/,
  );
  assert.throws(() => validateConfig({ dnsbl: { domainZones: ["x"] } }), /dnsbl\.domainZones: "x"/);
  assert.throws(
    () => validateConfig({ dnsbl: { trustedNetworks: ["10.0.0.0/33"] } }),
    /dnsbl\.trustedNetworks: "10\.0\.0\.0\/33" is not an IP address/,
  );
});
