import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorChallenge, oauthConfigured, parseBearerMessage, parseBearerResponse } from "./sasl.js";

const b = (s: string) => Buffer.from(s);

describe("OAUTHBEARER message (RFC 7628 §3.1)", () => {
  const cases: [string, string, unknown][] = [
    [
      "with authzid",
      "n,a=u@example.com,\x01host=x\x01port=143\x01auth=Bearer abc.def-_~+/=\x01\x01",
      { username: "u@example.com", token: "abc.def-_~+/=" },
    ],
    ["without authzid", "n,,\x01auth=Bearer t\x01\x01", { username: null, token: "t" }],
    ["scheme in any case", "n,,\x01auth=bEaReR t\x01\x01", { username: null, token: "t" }],
    ["escaped saslname", "n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01", { username: "a,b=c", token: "t" }],
  ];
  for (const [name, msg, want] of cases)
    it(`parses: ${name}`, () => assert.deepEqual(parseBearerMessage("OAUTHBEARER", b(msg)), want));

  const bad: [string, string][] = [
    ["lone ^A (the answer to an error challenge)", "\x01"],
    ["channel binding", "p=tls-unique,,\x01auth=Bearer t\x01\x01"],
    ["no final ^A^A", "n,,\x01auth=Bearer t\x01"],
    ["no auth", "n,,\x01host=x\x01\x01"],
    ["other scheme", "n,,\x01auth=Basic dTpw\x01\x01"],
    ["bad escape", "n,a=a=2Xb,\x01auth=Bearer t\x01\x01"],
    ["two auth values", "n,,\x01auth=Bearer t\x01auth=Bearer u\x01\x01"],
    ["token with a space", "n,,\x01auth=Bearer t u\x01\x01"],
  ];
  for (const [name, msg] of bad)
    it(`refuses: ${name}`, () => assert.ok("error" in parseBearerMessage("OAUTHBEARER", b(msg))));

  it("refuses bytes that are not UTF-8", () =>
    assert.ok("error" in parseBearerMessage("OAUTHBEARER", Buffer.from([0x6e, 0x2c, 0xff, 0x2c, 1, 1]))));
});

describe("XOAUTH2 message", () => {
  it("parses user and token", () =>
    assert.deepEqual(parseBearerMessage("XOAUTH2", b("user=u@example.com\x01auth=Bearer tok\x01\x01")), {
      username: "u@example.com",
      token: "tok",
    }));
  it("refuses a message without user", () =>
    assert.ok("error" in parseBearerMessage("XOAUTH2", b("auth=Bearer tok\x01\x01"))));
});

describe("error challenge", () => {
  it("OAUTHBEARER: invalid_token with the discovery URL (RFC 7628 §3.2.2)", () => {
    const json = JSON.parse(
      Buffer.from(
        errorChallenge("OAUTHBEARER", { issuer: "https://id.example/", scopes: ["openid", "email"] }),
        "base64",
      ).toString(),
    );
    assert.deepEqual(json, {
      status: "invalid_token",
      scope: "openid email",
      "openid-configuration": "https://id.example/.well-known/openid-configuration",
    });
  });
  it("XOAUTH2: status 401", () => {
    const json = JSON.parse(
      Buffer.from(
        errorChallenge("XOAUTH2", { issuer: "https://id.example", scopes: ["email"] }),
        "base64",
      ).toString(),
    );
    assert.equal(json.status, "401");
  });
});

describe("base64 responses and whether OAuth is offered", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  it("decodes strict base64 and parses it as the mechanism's message", () => {
    assert.deepEqual(parseBearerResponse("XOAUTH2", b64("user=a@b.test\x01auth=Bearer t0k\x01\x01")), {
      username: "a@b.test",
      token: "t0k",
    });
    for (const bad of ["", "bm9", "bm9=x", "bm 9v", "****"])
      assert.deepEqual(parseBearerResponse("OAUTHBEARER", bad), { error: "bad base64" }, bad);
  });
  it("only with a provider named", () => {
    assert.equal(oauthConfigured({ issuer: "" }), false);
    assert.equal(oauthConfigured({ issuer: "https://id.example.test" }), true);
  });
});
