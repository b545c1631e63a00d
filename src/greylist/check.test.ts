// The parts of a greylisting triplet (network, sender) and who is exempt: pure functions.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultsOf } from "../config/dsl.js";
import { ConfigError, defaultConfig, withOverrides } from "../config/load.js";
import { exemption } from "./check.js";
import { greylistSection } from "./config.js";
import { networkOf } from "./network.js";
import { tripletSender } from "./sender.js";

describe("greylist triplet parts", () => {
  test("client network: IPv4 /24, IPv6 /64 (configurable), IPv4-mapped IPv6 as IPv4", () => {
    assert.equal(networkOf("192.0.2.77", 24, 64), "192.0.2.0/24");
    assert.equal(networkOf("192.0.2.77", 32, 64), "192.0.2.77/32");
    assert.equal(networkOf("203.0.113.200", 25, 64), "203.0.113.128/25");
    assert.equal(networkOf("::ffff:192.0.2.77", 24, 64), "192.0.2.0/24");
    assert.equal(networkOf("2001:db8:1:2:3:4:5:6", 24, 64), "2001:db8:1:2:0:0:0:0/64");
    assert.equal(networkOf("2001:DB8:1:2::9", 24, 64), "2001:db8:1:2:0:0:0:0/64", "one spelling");
    assert.equal(networkOf("2001:db8:1:2ff::1", 24, 56), "2001:db8:1:200:0:0:0:0/56");
    assert.equal(networkOf("fe80::1%eth0", 24, 64), "fe80:0:0:0:0:0:0:0/64", "zone left out");
    assert.equal(networkOf("::1", 24, 128), "0:0:0:0:0:0:0:1/128");
    assert.equal(networkOf("64:ff9b::192.0.2.1", 24, 128), "64:ff9b:0:0:0:0:c000:201/128");
  });

  test("sender: lower-cased, <> for the null sender, BATV, +extension and VERP numbers removed", () => {
    assert.equal(tripletSender("", true), "<>");
    assert.equal(tripletSender("Alice@Example.ORG", true), "alice@example.org");
    assert.equal(tripletSender("prvs=1234abcdef=alice@example.org", true), "alice@example.org");
    assert.equal(tripletSender("list+bounce-x=y@example.org", true), "list@example.org");
    assert.equal(tripletSender("bounce-4711-x@example.org", true), "bounce-#-x@example.org");
    assert.equal(tripletSender("bounces-12-34@example.org", true), "bounces-#-#@example.org");
    assert.equal(tripletSender("user123@example.org", true), "user123@example.org", "not a lone number");
    assert.equal(
      tripletSender("prvs=1234abcdef=Alice@example.org", false),
      "prvs=1234abcdef=alice@example.org",
    );
  });

  test("exempt: submission, authenticated, DNSWL-listed, exemptNetworks; a bad entry refused at load, naming the key", () => {
    const cfg = {
      ...defaultsOf(greylistSection),
      exemptNetworks: ["198.51.100.0/24", "2001:db8::/32", "192.0.2.9"],
    };
    const anon = { ip: "203.0.113.1", inbound: true, authenticated: false };
    assert.equal(exemption(cfg, anon), null);
    assert.equal(exemption(cfg, { ...anon, inbound: false }), "submission");
    assert.equal(exemption(cfg, { ...anon, authenticated: true }), "authenticated");
    assert.equal(exemption(cfg, { ...anon, dnswlListed: true }), "dnswl");
    assert.equal(exemption(cfg, { ...anon, ip: "198.51.100.7" }), "exempt-network");
    assert.equal(exemption(cfg, { ...anon, ip: "::ffff:198.51.100.7" }), "exempt-network");
    assert.equal(exemption(cfg, { ...anon, ip: "2001:db8:ff::1" }), "exempt-network");
    assert.equal(exemption(cfg, { ...anon, ip: "192.0.2.9" }), "exempt-network");
    assert.equal(exemption(cfg, { ...anon, ip: "192.0.2.10" }), null);
    for (const bad of ["example.org", "192.0.2.0/33", "192.0.2.0/x", "1.2.3.4/8/9", "::1/129", ""]) {
      assert.throws(
        () => withOverrides(defaultConfig(), { greylist: { exemptNetworks: ["10.0.0.0/8", bad] } }),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message.includes("greylist.exemptNetworks") &&
          e.message.includes(`"${bad}" is not an IP address or CIDR prefix`),
        bad,
      );
    }
    assert.deepEqual(
      withOverrides(defaultConfig(), { greylist: { exemptNetworks: cfg.exemptNetworks } }).greylist
        .exemptNetworks,
      cfg.exemptNetworks,
    );
  });
});
