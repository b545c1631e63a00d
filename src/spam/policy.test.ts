import assert from "node:assert/strict";
import { test } from "node:test";
import { validateConfig } from "../config/load.js";
import type { SpamPrefs } from "../store/types.js";
import {
  checkDomainPolicies,
  inboundAction,
  parseDomainPolicy,
  recipientPolicy,
  senderListed,
} from "./policy.js";

const config = { junkScore: 5, rejectScore: 15, fileIntoJunk: true };
const noPrefs: SpamPrefs = { allow: [], block: [], junkScore: null, fileIntoJunk: null };

test("[spam] domains entries parse, and a bad one is named", () => {
  assert.deepEqual(parseDomainPolicy("Example.COM:junkScore=6,rejectScore=0,fileIntoJunk=false"), [
    "example.com",
    { junkScore: 6, rejectScore: 0, fileIntoJunk: false },
  ]);
  assert.equal(checkDomainPolicies(["a.example:junkScore=6"]), null);
  for (const bad of [
    "a.example",
    "a.example:junk=6",
    "a.example:junkScore=x",
    "a.example:junkScore=0",
    "a.example:fileIntoJunk=yes",
    "bad domain:junkScore=3",
  ])
    assert.match(checkDomainPolicies([bad]) ?? "", /./, bad);
  assert.match(checkDomainPolicies(["a.example:junk=6"]) ?? "", /unknown key "junk"/);
});

test("allow and block lists: addresses and domains with their subdomains", () => {
  assert.ok(senderListed(["a@b.example"], "A@B.example"));
  assert.ok(senderListed(["@b.example"], "x@mail.b.example"));
  assert.ok(!senderListed(["@b.example"], "x@notb.example"));
  assert.ok(!senderListed(["a@b.example"], "aa@b.example"));
});

test("config, then domain, then the user's prefs; actions by score", () => {
  const p = (domain = {}, prefs = noPrefs, senders = ["s@x.example"]) =>
    recipientPolicy({ config, domain, prefs, senders });
  const cases: [ReturnType<typeof p>, number, string][] = [
    [p(), 4.9, "deliver"],
    [p(), 5, "junk"],
    [p(), 15, "reject"],
    [p({ junkScore: 8, rejectScore: 0 }), 7, "deliver"],
    [p({ junkScore: 8, rejectScore: 0 }), 99, "junk"],
    [p({ junkScore: 8 }, { ...noPrefs, junkScore: 3 }), 3.5, "junk"],
    [p({}, { ...noPrefs, allow: ["@x.example"] }), 99, "deliver"],
    [p({}, { ...noPrefs, block: ["s@x.example"] }), 0, "junk"],
    [p({}, { ...noPrefs, block: ["s@x.example"], allow: ["s@x.example"] }), 0, "deliver"],
  ];
  for (const [policy, score, want] of cases)
    assert.equal(inboundAction(score, policy), want, `${JSON.stringify(policy)} ${score}`);
  assert.equal(p({ fileIntoJunk: false }).fileIntoJunk, false);
  assert.equal(p({ fileIntoJunk: false }, { ...noPrefs, fileIntoJunk: true }).fileIntoJunk, true);
});

test("a bad [spam] domains entry fails the config load naming the key and the entry", () => {
  assert.throws(
    () => validateConfig({ spam: { domains: ["a.example:junk=6"] } }),
    /spam\.domains: "a\.example:junk=6": unknown key "junk"/,
  );
  assert.deepEqual(validateConfig({ spam: { domains: ["a.example:rejectScore=0"] } }).spam.domains, [
    "a.example:rejectScore=0",
  ]);
});
