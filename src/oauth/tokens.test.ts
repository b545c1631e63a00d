// The access-token checks of tokens.ts against a small local issuer (discovery document and JWKS
// served over HTTP on 127.0.0.1, keys made here with jose): algorithms (RS256 and ES256 only),
// issuer, audience, exp with clockSkewSec, the username claim, key rotation (an unknown kid
// refetches the keys) and its rate limit (made-up kids cause at most one fetch per cooldown),
// and a provider that cannot be reached (a temporary failure, not the client's fault).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { defaultConfig } from "../config/load.js";
import { freePort } from "../testing/net.js";
import { type OAuthConfig, TokenVerifier } from "./tokens.js";

type Key = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

describe("TokenVerifier", () => {
  let server: Server;
  let issuer: string;
  let jwks: JWK[] = [];
  let jwksFetches = 0;
  let rsa: Key;
  let ec: Key;
  const AUD = "https://mail.test.example";

  before(async () => {
    const r = await generateKeyPair("RS256", { extractable: true });
    const e = await generateKeyPair("ES256", { extractable: true });
    rsa = r.privateKey;
    ec = e.privateKey;
    jwks = [
      { ...(await exportJWK(r.publicKey)), kid: "rsa-1", alg: "RS256" },
      { ...(await exportJWK(e.publicKey)), kid: "ec-1", alg: "ES256" },
    ];
    server = createServer((req, res) => {
      if (req.url === "/.well-known/openid-configuration") {
        res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      } else if (req.url === "/jwks") {
        jwksFetches++;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ keys: jwks }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config = (o: Partial<OAuthConfig> = {}): OAuthConfig => ({
    ...defaultConfig().oauth,
    issuer,
    audience: AUD,
    ...o,
  });
  const sign = (
    key: Key | Uint8Array,
    o: { alg?: string; kid?: string; aud?: string; iss?: string; exp?: number; email?: string | null } = {},
  ) => {
    const claims = o.email === null ? {} : { email: o.email ?? "alice@example.test" };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: o.alg ?? "RS256", kid: o.kid ?? "rsa-1", typ: "at+jwt" })
      .setIssuer(o.iss ?? issuer)
      .setAudience(o.aud ?? AUD)
      .setSubject("alice")
      .setIssuedAt()
      .setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 300)
      .sign(key);
  };

  test("RS256 and ES256 tokens for our audience name the account", async () => {
    const v = new TokenVerifier(config());
    assert.deepEqual(await v.verify(await sign(rsa)), { ok: true, username: "alice@example.test" });
    assert.deepEqual(await v.verify(await sign(ec, { alg: "ES256", kid: "ec-1" })), {
      ok: true,
      username: "alice@example.test",
    });
  });

  test("wrong issuer, wrong audience, missing claim, HS256 and unsigned tokens are refused", async () => {
    const v = new TokenVerifier(config());
    const refused = async (token: string, reason: RegExp) => {
      const r = await v.verify(token);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.match(r.reason, reason);
        assert.equal(r.temporary, false);
      }
    };
    await refused(await sign(rsa, { iss: "http://other.example" }), /claim iss/);
    await refused(await sign(rsa, { aud: "https://calendar.example" }), /claim aud/);
    await refused(await sign(rsa, { email: null }), /no email claim/);
    // An HMAC "signed" with a guessable secret must never pass, whatever the kid says.
    await refused(await sign(new TextEncoder().encode("x".repeat(32)), { alg: "HS256" }), /ALG_NOT_ALLOWED/);
    const [h, p] = (await sign(rsa)).split(".");
    await refused(`${h}.${p}.`, /not a JWT/);
    await refused("x".repeat(9000), /too long/);
  });

  test("exp is checked with clockSkewSec of slack", async () => {
    const token = await sign(rsa, { exp: Math.floor(Date.now() / 1000) - 30 });
    assert.equal((await new TokenVerifier(config({ clockSkewSec: 60 })).verify(token)).ok, true);
    const r = await new TokenVerifier(config({ clockSkewSec: 0 })).verify(token);
    assert.deepEqual(r, { ok: false, reason: "token expired", temporary: false });
  });

  test("a new key id refetches the keys; made-up ones at most once per cooldown", async () => {
    const v = new TokenVerifier(config({ jwksCooldownSec: 3600 }));
    assert.equal((await v.verify(await sign(rsa))).ok, true);
    const before = jwksFetches;
    // Rotation is only seen after the cooldown since the last fetch: here that is an hour, so a
    // rotated key is refused now and every made-up kid after it causes no fetch at all.
    for (let i = 0; i < 20; i++) {
      const r = await v.verify(await sign(rsa, { kid: `made-up-${i}` }));
      assert.equal(r.ok, false);
    }
    assert.ok(jwksFetches - before <= 1, `${jwksFetches - before} fetches for 20 made-up kids`);

    // With a cooldown passed (1 s, waited for by the clock), a rotated key is fetched and accepted.
    const rotated = await generateKeyPair("RS256", { extractable: true });
    jwks = [...jwks, { ...(await exportJWK(rotated.publicKey)), kid: "rsa-2", alg: "RS256" }];
    const quick = new TokenVerifier(config({ jwksCooldownSec: 1 }));
    assert.equal((await quick.verify(await sign(rsa))).ok, true);
    const fetched = Date.now();
    for (let i = 0; i < 30 && Date.now() - fetched < 1100; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await quick.verify(await sign(rotated.privateKey, { kid: "rsa-2" })), {
      ok: true,
      username: "alice@example.test",
    });
  });

  test("a provider that cannot be reached is a temporary failure", async () => {
    // Not a port from listen(0): the kernel would hand that one to the next test file asking.
    const gone = `http://127.0.0.1:${await freePort()}`;
    const v = new TokenVerifier(config({ issuer: gone, jwksTimeoutMs: 2000 }));
    const r = await v.verify(await sign(rsa, { iss: gone }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.temporary, true, r.reason);
  });

  test("the config is checked at start", () => {
    assert.throws(() => new TokenVerifier(config({ audience: "" })), /oauth.audience/);
    assert.throws(() => new TokenVerifier(config({ issuer: "http://id.example.com" })), /https/);
  });
});
