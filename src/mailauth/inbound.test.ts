// checkInbound: what each DMARC outcome becomes under the [mailauth] switches.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultsOf } from "../config/dsl.js";
import { mailauthSection } from "./config.js";
import { checkInbound } from "./inbound.js";
import type { DmarcAction, InboundMessage, InboundVerdict, InboundVerifier } from "./verify.js";

function verifierSaying(action: DmarcAction, seen: InboundMessage[] = []): InboundVerifier {
  return {
    async verify(msg) {
      seen.push(msg);
      const v: InboundVerdict = {
        authResultsHeader: "Authentication-Results: mx.b.test; dmarc=fail\r\n",
        receivedSpfHeader: "Received-SPF: fail client-ip=127.0.0.9;\r\n",
        spf: "fail",
        dkim: [],
        arc: "none",
        dmarc: { result: action === "none" ? "pass" : "fail", domain: "a.test", policy: "reject" },
        dmarcPolicyAction: action,
        authorDomains: 1,
        timedOut: false,
      };
      return v;
    },
  };
}

const body = Buffer.from("Authentication-Results: mx.b.test; dmarc=pass\r\nFrom: a@a.test\r\n\r\nhi\r\n");
const msg = { body, ip: "127.0.0.9", helo: "x", mailFrom: "a@a.test" };

describe("checkInbound", () => {
  test("decisions per policy action and config", async () => {
    const cfg = defaultsOf(mailauthSection);
    const table: [DmarcAction, Partial<typeof cfg>, string][] = [
      ["none", {}, "deliver"],
      ["reject", {}, "reject"],
      ["defer", {}, "defer"],
      ["quarantine", {}, "junk"],
      ["quarantine", { quarantineToJunk: false }, "deliver"],
      ["reject", { enforceDmarcReject: false }, "junk"],
      ["defer", { enforceDmarcReject: false }, "junk"],
      ["reject", { enforceDmarcReject: false, quarantineToJunk: false }, "deliver"],
    ];
    for (const [action, over, want] of table) {
      const out = await checkInbound(
        { verifier: verifierSaying(action), authservId: "mx.b.test" },
        { ...cfg, ...over },
        msg,
      );
      assert.equal(out.decision, want, `${action} ${JSON.stringify(over)}`);
      assert.equal(
        out.headers.toString(),
        "Authentication-Results: mx.b.test; dmarc=fail\r\nReceived-SPF: fail client-ip=127.0.0.9;\r\n",
      );
    }
  });

  test("forged fields are removed before the checks see the message", async () => {
    const seen: InboundMessage[] = [];
    const out = await checkInbound(
      { verifier: verifierSaying("none", seen), authservId: "MX.B.TEST" },
      defaultsOf(mailauthSection),
      msg,
    );
    assert.equal(out.body.toString(), "From: a@a.test\r\n\r\nhi\r\n");
    assert.equal(seen[0]?.body.toString(), "From: a@a.test\r\n\r\nhi\r\n");
  });

  test("verifyInbound off: stripped, not checked, delivered", async () => {
    const seen: InboundMessage[] = [];
    const out = await checkInbound(
      { verifier: verifierSaying("reject", seen), authservId: "mx.b.test" },
      { ...defaultsOf(mailauthSection), verifyInbound: false },
      msg,
    );
    assert.deepEqual(
      [out.decision, out.headers.length, out.verdict, seen.length, out.body.toString()],
      ["deliver", 0, null, 0, "From: a@a.test\r\n\r\nhi\r\n"],
    );
  });
});
