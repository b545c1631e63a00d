import assert from "node:assert/strict";
import { test } from "node:test";
import { tlsFailureOf } from "./tls-failure.js";

test("Node's certificate errors map to RFC 8460 4.3.1 result types; other errors to none", () => {
  const sock = (originalCode: string) => ({ code: "ESOCKET", originalCode, command: "CONN" });
  const cases: [unknown, string | undefined][] = [
    [sock("ERR_TLS_CERT_ALTNAME_INVALID"), "certificate-host-mismatch"],
    [sock("CERT_HAS_EXPIRED"), "certificate-expired"],
    [sock("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), "certificate-not-trusted"],
    [sock("SELF_SIGNED_CERT_IN_CHAIN"), "certificate-not-trusted"],
    [sock("DEPTH_ZERO_SELF_SIGNED_CERT"), "certificate-not-trusted"],
    [sock("CERT_NOT_YET_VALID"), "validation-failure"],
    [sock("ERR_SSL_WRONG_VERSION_NUMBER"), "validation-failure"],
    [{ code: "ETLS", command: "STARTTLS", response: "502 5.5.2 not implemented" }, "starttls-not-supported"],
    [sock("ECONNREFUSED"), undefined],
    [{ code: "ETIMEDOUT" }, undefined],
    [{ code: "EPROTOCOL", command: "CONN", response: "421 busy" }, undefined],
    [null, undefined],
  ];
  for (const [err, want] of cases) assert.equal(tlsFailureOf(err), want, JSON.stringify(err));
});
