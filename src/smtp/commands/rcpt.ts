// RCPT TO (RFC 5321 §4.1.1.3), with the DSN parameters NOTIFY and ORCPT (RFC 3461 §4.1-4.2).
// Recipients are resolved here, so an unknown one is refused at once (550 5.1.1) and an
// address outside our domains is refused unless the client authenticated (554 5.7.1): Yubin
// is never an open relay. A full mailbox is refused here too (452 4.2.2), so the others still
// get the message.
import { resolveRecipient } from "../../delivery/resolve.js";
import { decodeXtext } from "../../delivery/xtext.js";
import { greylistWait } from "../../greylist/check.js";
import { srsResolveOption } from "../../outbound/srs-service.js";
import type { QuotaUsage } from "../../store/types.js";
import { SmtpError } from "../errors.js";
import { replies } from "../replies.js";
import type { Session } from "../session.js";
import type { Recipient } from "../state.js";
import { parsePathArg } from "../wire/path.js";
import type { Handler } from "./types.js";

const NOTIFY_VALUES = new Set(["SUCCESS", "FAILURE", "DELAY"]);

export const rcpt: Handler<"mail"> = async (s, arg, state) => {
  const tx = state.tx;
  await refuseScreened(s); // port 25: DNS lists and postscreen-style checks (src/dnsbl)
  const parsed = parsePathArg(arg, "TO");
  if (!parsed.ok) throw new SmtpError("syntax", parsed.reason);
  const path = parsed.path;

  let notify: string[] | null = null;
  let orcpt: string | null = null;
  for (const { key, value } of path.params) {
    if (key === "NOTIFY") {
      const list = (value ?? "").toUpperCase().split(",");
      const ok = list.length === 1 && list[0] === "NEVER" ? true : list.every((v) => NOTIFY_VALUES.has(v));
      if (!ok || new Set(list).size !== list.length)
        throw new SmtpError("syntax", "NOTIFY=NEVER or NOTIFY=SUCCESS,FAILURE,DELAY");
      notify = list;
    } else if (key === "ORCPT") {
      const decoded = value === null ? null : decodeXtext(value);
      if (decoded === null || !/^[A-Za-z0-9-]+;./.test(decoded))
        throw new SmtpError("syntax", "ORCPT=addr-type;xtext");
      orcpt = decoded;
    } else throw new SmtpError("bad-param", key);
  }
  if (path.utf8 && !tx.smtpUtf8) throw new SmtpError("utf8-required");
  if (tx.recipients.length >= s.cfg.maxRecipients) throw new SmtpError("too-many-recipients");

  const address = path.domain === "" ? await postmasterAddress(s) : path.address;
  const res = await resolveRecipient(s.ctx.store.directory, address, {
    disabledAccounts: s.ctx.config.delivery.disabledAccounts,
    // A bounce to an SRS address of ours (mail we forwarded) is relayed to the original sender.
    ...(await srsResolveOption(s.ctx)),
  });
  let recipient: Recipient;
  if (res.kind === "unknown") throw new SmtpError("unknown-user");
  if (res.kind === "disabled") throw new SmtpError("mailbox-disabled");
  if (res.kind === "remote") {
    if (s.identity.kind === "anonymous") throw new SmtpError("relay-denied");
    recipient = { address: path.address, accountIds: [], remote: [path.address], notify, orcpt };
  } else {
    for (const id of res.accountIds) {
      const quota = res.facts?.get(id)?.quota ?? (await s.ctx.store.mail.quotaUsage(id));
      if (isFull(quota)) throw new SmtpError("mailbox-full");
    }
    recipient = { address, accountIds: res.accountIds, remote: res.remote, notify, orcpt, facts: res.facts };
  }
  await greylist(s, tx.from, address);
  tx.recipients.push(recipient);
  s.send(replies.recipientOk());
};

/** A client the screen refuses gets 554 5.7.1 at every RCPT, naming the list (RFC 5321 §3.3). */
async function refuseScreened(s: Session): Promise<void> {
  const refusal = s.screen ? (await s.screen.result()).refusal : null;
  if (refusal) throw new SmtpError("screened", refusal);
}

/** Greylisting (src/greylist/, off by default): port 25 only, once the recipient is known to be
 *  ours, so an unknown one still gets 550 at once and is never stored. 451 4.7.1 to retry later. */
async function greylist(s: Session, reversePath: string, recipient: string): Promise<void> {
  const wait = await greylistWait(
    { cfg: s.ctx.config.greylist, store: s.ctx.store.greylist, log: s.log },
    {
      client: {
        ip: s.remoteIp,
        inbound: !s.isSubmission,
        authenticated: s.identity.kind !== "anonymous",
        dnswlListed: s.screen ? (await s.screen.result()).allowlisted : false, // src/dnsbl
      },
      reversePath,
      recipient,
    },
  );
  if (wait !== null) throw new SmtpError("greylisted", `please try again in ${wait} seconds`);
}

/** Bare "postmaster": this host's (its name is one of our domains at first start), else the
 *  first domain's. */
async function postmasterAddress(s: Session): Promise<string> {
  const dir = s.ctx.store.directory;
  const host = s.ctx.config.server.hostname;
  if (await dir.getDomain(host)) return `postmaster@${host}`;
  const first = (await dir.listDomains())[0];
  return `postmaster@${first?.name ?? host}`;
}

function isFull(q: QuotaUsage): boolean {
  return (
    (q.quotaBytes > 0 && q.bytes >= q.quotaBytes) || (q.quotaMessages > 0 && q.messages >= q.quotaMessages)
  );
}
