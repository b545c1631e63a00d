// Why a domain that announces MTA-STS has no policy, for TLS-RPT (RFC 8460 4.3.2): the fetch
// failed, the policy did not parse, or its host's certificate was not valid; remembered until a
// policy is had, forgotten when the TXT record goes; a cached policy means no problem.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DnsResolver } from "../dns/types.js";
import { MtaStsCache } from "./mta-sts.js";

function cacheWith(fetchText: (domain: string) => Promise<string | null>, txt: { id: string | null }) {
  const resolver = {
    resolve: async (name: string) => {
      if (name === "_mta-sts.sts.test" && txt.id) return [[`v=STSv1; id=${txt.id}`]];
      throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
    },
  } as unknown as DnsResolver;
  return new MtaStsCache({ resolver, port: 443, timeoutMs: 1000, maxBytes: 65536, fetchText });
}

const good = "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 86400\n";

test("fetch error, invalid policy, webpki; cleared by a policy or when the record goes", async () => {
  let answer: () => Promise<string | null> = () => Promise.reject(new Error("ECONNREFUSED"));
  const txt = { id: "1" as string | null };
  const c = cacheWith(() => answer(), txt);
  assert.equal(await c.policyFor("sts.test"), null);
  assert.equal(c.problemWith("STS.test"), "sts-policy-fetch-error");

  answer = () =>
    Promise.reject(Object.assign(new Error("self-signed"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }));
  await c.policyFor("sts.test");
  assert.equal(c.problemWith("sts.test"), "sts-webpki-invalid");

  answer = async () => "version: STSv9\nmode: sometimes\n";
  await c.policyFor("sts.test");
  assert.equal(c.problemWith("sts.test"), "sts-policy-invalid");

  answer = async () => good;
  const p = await c.policyFor("sts.test");
  assert.equal(p?.mode, "enforce");
  assert.deepEqual(p?.lines, ["version: STSv1", "mode: enforce", "mx: mx.sts.test", "max_age: 86400"]);
  assert.equal(c.problemWith("sts.test"), null);

  // A new id whose policy cannot be fetched: the cached policy still applies, no problem.
  txt.id = "2";
  answer = () => Promise.reject(new Error("ECONNREFUSED"));
  assert.equal((await c.policyFor("sts.test"))?.mode, "enforce");
  assert.equal(c.problemWith("sts.test"), null);

  const fresh = cacheWith(() => Promise.reject(new Error("ECONNREFUSED")), txt);
  await fresh.policyFor("sts.test");
  assert.equal(fresh.problemWith("sts.test"), "sts-policy-fetch-error");
  txt.id = null;
  await fresh.policyFor("sts.test");
  assert.equal(fresh.problemWith("sts.test"), null, "no record, no policy, no problem");
});
