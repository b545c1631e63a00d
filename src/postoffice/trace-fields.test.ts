// The Received field of each door (RFC 5321 §4.4), exact: SMTP with its RFC 3848 protocol name,
// JMAP "with HTTP", the server's own mail with "by" only.
import assert from "node:assert/strict";
import { test } from "node:test";
import { receivedHeader, returnPathHeader, withProtocol } from "./trace-fields.js";

const date = new Date(Date.UTC(2026, 11, 6, 9, 5, 3));
const base = { hostname: "mail.example.test", id: "ABC123", date };

test("SMTP: from HELO and address literal, RFC 3848 protocol, TLS, a single recipient", () => {
  const tls = { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" };
  const origin = {
    kind: "smtp",
    helo: "client.example",
    ip: "192.0.2.1",
    esmtp: true,
    utf8: false,
    authenticated: true,
    tls,
  } as const;
  assert.equal(
    receivedHeader({ ...base, origin, recipient: "bob@example.test" }),
    "Received: from client.example ([192.0.2.1])\r\n\tby mail.example.test (Yubin) with ESMTPSA id ABC123\r\n\t(TLSv1.3 cipher TLS_AES_256_GCM_SHA384)\r\n\tfor <bob@example.test>;\r\n\tSun, 06 Dec 2026 09:05:03 +0000\r\n",
  );
  // A HELO that could break the header is cut to what is safe; IPv6 gets its tag.
  assert.equal(
    receivedHeader({
      ...base,
      origin: { ...origin, helo: "x\r\nBcc: y", ip: "2001:db8::1", tls: null, authenticated: false },
      recipient: null,
    }),
    "Received: from xBcc:y ([IPv6:2001:db8::1])\r\n\tby mail.example.test (Yubin) with ESMTP id ABC123;\r\n\tSun, 06 Dec 2026 09:05:03 +0000\r\n",
  );
  assert.equal(withProtocol({ esmtp: false, utf8: false, authenticated: false, tls: null }), "SMTP");
  assert.equal(withProtocol({ esmtp: true, utf8: true, authenticated: false, tls: {} }), "UTF8SMTPS");
});

test("JMAP: with HTTP; the server's own mail: by only", () => {
  assert.equal(
    receivedHeader({ ...base, origin: { kind: "http", ip: null, tls: null }, recipient: null }),
    "Received: by mail.example.test (Yubin) with HTTP id ABC123;\r\n\tSun, 06 Dec 2026 09:05:03 +0000\r\n",
  );
  assert.equal(
    receivedHeader({ ...base, origin: { kind: "local" }, recipient: "alice@example.test" }),
    "Received: by mail.example.test (Yubin) id ABC123\r\n\tfor <alice@example.test>;\r\n\tSun, 06 Dec 2026 09:05:03 +0000\r\n",
  );
  assert.equal(returnPathHeader(""), "Return-Path: <>\r\n");
});
