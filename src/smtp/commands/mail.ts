// MAIL FROM (RFC 5321 §4.1.1.2) with the parameters of the extensions we offer: SIZE (RFC 1870
// §6: refused at once when over the limit), BODY (RFC 6152), SMTPUTF8 (RFC 6531 §3.4), RET and
// ENVID (RFC 3461 §4.3-4.4), AUTH (RFC 4954 §5, accepted and ignored).
// On submission, AUTH comes first (RFC 6409 §4.3), or a POP-before-SMTP IP (legacy, opt-in),
// and the sender must be one the user owns (message/sender.ts).

import { decodeXtext } from "../../delivery/xtext.js";
import { SmtpError } from "../errors.js";
import { checkSender } from "../message/sender.js";
import { replies } from "../replies.js";
import type { Transaction } from "../state.js";
import { parsePathArg } from "../wire/path.js";
import type { Handler } from "./types.js";

export const mail: Handler<"ready"> = async (s, arg, state) => {
  const helo = state.helo;
  if (s.isSubmission && s.identity.kind === "anonymous") {
    if (!(await s.ctx.auth.popBeforeSmtpAllowed(s.remoteIp))) throw new SmtpError("auth-required");
    s.identity = { kind: "pop-before-smtp" };
    s.log.info("POP-before-SMTP sender");
  }
  const parsed = parsePathArg(arg, "FROM");
  if (!parsed.ok) throw new SmtpError("syntax", parsed.reason);
  const path = parsed.path;
  if (path.params.length > 0 && !helo.esmtp) throw new SmtpError("bad-param", "Parameters need EHLO");

  const tx: Transaction = {
    from: path.address,
    smtpUtf8: false,
    body: null,
    declaredSize: null,
    ret: null,
    envId: null,
    recipients: [],
    chunks: null,
  };
  for (const { key, value } of path.params) {
    switch (key) {
      case "SIZE": {
        if (value === null || !/^\d{1,20}$/.test(value)) throw new SmtpError("syntax", "SIZE=<octets>");
        const size = Number(value);
        if (size > s.cfg.maxMessageSize) throw new SmtpError("too-big");
        tx.declaredSize = size;
        break;
      }
      case "BODY": {
        const v = value?.toUpperCase();
        if (v !== "7BIT" && v !== "8BITMIME") throw new SmtpError("bad-param", "BODY=7BIT or BODY=8BITMIME");
        tx.body = v;
        break;
      }
      case "SMTPUTF8":
        if (value !== null) throw new SmtpError("syntax", "SMTPUTF8 takes no value");
        tx.smtpUtf8 = true;
        break;
      case "RET": {
        const v = value?.toUpperCase();
        if (v !== "FULL" && v !== "HDRS") throw new SmtpError("syntax", "RET=FULL or RET=HDRS");
        tx.ret = v;
        break;
      }
      case "ENVID": {
        const v = value === null ? null : decodeXtext(value);
        if (v === null || v.length > 100) throw new SmtpError("syntax", "ENVID=<xtext>");
        tx.envId = v;
        break;
      }
      case "AUTH":
        break;
      default:
        throw new SmtpError("bad-param", key);
    }
  }
  if (path.utf8 && !tx.smtpUtf8) throw new SmtpError("utf8-required");
  if (path.address !== "") await checkSender(s.ctx.store.directory, s.identity, path.address);
  s.screen?.mailFrom(path.address); // port 25: the sender's domain asked of the domain lists
  s.state = { phase: "mail", helo, tx };
  s.send(replies.senderOk());
};
