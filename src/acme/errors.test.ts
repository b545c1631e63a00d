import assert from "node:assert/strict";
import { test } from "node:test";
import { otherError, problemToError } from "./errors.js";

const P = "urn:ietf:params:acme:error:";

test("a connection problem says which URL and what to check", () => {
  const e = problemToError(
    {
      type: `${P}connection`,
      detail: "Connection refused",
      identifier: { type: "dns", value: "mail.example.com" },
    },
    { challenge: "http-01" },
  );
  assert.equal(e.kind, "connection");
  assert.match(
    e.message,
    /could not reach http:\/\/mail\.example\.com\/\.well-known\/acme-challenge\/… \(port 80\)/,
  );
  assert.match(e.message, /is the port open .* does mail\.example\.com point at this server\?/);
  assert.match(e.message, /\(CA: Connection refused\)$/);
  const alpn = problemToError(
    { type: `${P}connection`, identifier: { type: "dns", value: "a.example.com" } },
    {
      challenge: "tls-alpn-01",
    },
  );
  assert.match(alpn.message, /https:\/\/a\.example\.com\/ \(port 443, TLS-ALPN-01\)/);
});

test("dns, unauthorized, caa, rate limits and unknown types each get their advice", () => {
  const id = { type: "dns", value: "mail.example.com" };
  assert.match(problemToError({ type: `${P}dns`, identifier: id }).message, /A or AAAA record/);
  const unresolved = problemToError({
    type: `${P}connection`,
    identifier: id,
    detail: 'Get "http://mail.example.com/.well-known/acme-challenge/x": could not resolve URL',
  });
  assert.equal(unresolved.kind, "dns");
  assert.match(unresolved.message, /could not resolve mail\.example\.com — does/);
  assert.match(
    problemToError({ type: `${P}unauthorized`, identifier: id }).message,
    /another answer came back/,
  );
  assert.match(
    problemToError({ type: `${P}caa`, identifier: id }).message,
    /CAA record .*"letsencrypt\.org"/,
  );
  const rl = problemToError(
    { type: `${P}rateLimited`, detail: "too many certificates" },
    { retryAfterSec: 3600 },
  );
  assert.equal(rl.kind, "rateLimited");
  assert.equal(rl.retryAfterSec, 3600);
  assert.match(rl.message, /rate limit .* retrying after 60 minutes .* staging/);
  assert.match(
    problemToError({ type: "about:blank", detail: "x" }).message,
    /refused the order \(about:blank\)/,
  );
});

test("subproblems are listed per name; the name is taken from the detail when there is no identifier", () => {
  const e = problemToError({
    type: `${P}rejectedIdentifier`,
    subproblems: [
      { type: `${P}rejectedIdentifier`, identifier: { type: "dns", value: "a.example.com" } },
      { type: `${P}caa`, identifier: { type: "dns", value: "b.example.com" } },
    ],
  });
  assert.match(e.message, /will not issue for a\.example\.com.*; a CAA record of b\.example\.com/);
  assert.match(
    problemToError({ type: `${P}dns`, detail: "NXDOMAIN looking up A for x.example.net" }).message,
    /could not resolve x\.example\.net/,
  );
});

test("network errors name the directory and what to check", () => {
  const e = otherError(
    Object.assign(new Error("getaddrinfo ENOTFOUND acme.invalid"), { code: "ENOTFOUND" }),
    "https://acme.invalid/dir",
  );
  assert.equal(e.kind, "network");
  assert.match(e.message, /could not talk to the ACME server at https:\/\/acme\.invalid\/dir \(ENOTFOUND\)/);
});
