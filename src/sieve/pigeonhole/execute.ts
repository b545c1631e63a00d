// test_result_execute: carry out a result's actions against the test file's mail store and
// outbox the way Yubin's post office does (src/postoffice/sieve*.ts, redirect.ts, notify.ts,
// src/delivery/vacation.ts), with the same pure builders and rules: the rejection MDN
// (delivery/rejection-message.ts), the vacation checks and reply (delivery/vacation-rules.ts,
// vacation-message.ts), the mailto notification (postoffice/notify-message.ts). The test's
// "account" is the envelope recipient; no SRS is configured (redirects keep the sender).
import { defaultsOf } from "../../config/dsl.js";
import { buildRejectionMessage } from "../../delivery/rejection-message.js";
import { vacationSection } from "../../delivery/vacation-config.js";
import { buildVacationReply } from "../../delivery/vacation-message.js";
import { vacationVerdict } from "../../delivery/vacation-rules.js";
import { parseAddressList } from "../../mime/address.js";
import { decodeHeaderValue } from "../../mime/encoded-word.js";
import { fieldValue, scanHeader } from "../../mime/headers.js";
import { notificationMessage } from "../../postoffice/notify-message.js";
import { REDIRECTED_FROM, redirectedBy } from "../../postoffice/redirect.js";
import { normalizeMailboxName } from "../../store/shared/mailbox-name.js";
import { isValidFrom, parseMailto } from "../extensions/mailto.js";
import type { SieveAction } from "../types.js";
import type { TestsuiteState } from "./state.js";

const HOSTNAME = "mail.example.com";
/** [vacation] as configured by default. */
const VACATION_DEFAULTS = defaultsOf(vacationSection);
/** The store's longest mailbox name is a config key; this is its order of magnitude. */
const MAX_MAILBOX_BYTES = 1024;

export interface ExecutableResult {
  actions: readonly SieveAction[];
  edited: Buffer | null;
}

/** RFC 5230 4.6 / RFC 6131: a reply goes out at most once per sender and handle within
 *  :days/:seconds (delivery keeps this in the store's duplicate memory). */
function vacationDue(
  state: TestsuiteState,
  a: Extract<SieveAction, { type: "vacation" }>,
  now: number,
): boolean {
  const key = `vacation\0${a.handle}\0${state.envelope.from.toLowerCase()}`;
  const until = state.duplicates.get(key);
  if (until !== undefined && until > now) return false;
  state.duplicates.set(key, now + a.seconds * 1000);
  return true;
}

/** RFC 3834 5 / RFC 5436 2.7: a message that is itself automatic gets no notification. */
function automatic(raw: Buffer): boolean {
  const { fields } = scanHeader(raw, 0, raw.length);
  const f = fields.find((x) => x.lname === "auto-submitted");
  return f !== undefined && fieldValue(raw, f).split(";")[0]!.trim().toLowerCase() !== "no";
}

function vacation(state: TestsuiteState, a: Extract<SieveAction, { type: "vacation" }>, now: Date): void {
  // delivery/vacation.ts: the account's addresses, the envelope recipients that led to it (the
  // original recipient, e.g. an alias) and :addresses are the user's; :from only when it is the
  // account's own address, else the account's address.
  const account = state.envelope.to;
  const own = [account, state.envelope.origTo, ...a.addresses];
  if (!vacationVerdict({ header: state.message, mailFrom: state.envelope.from, own }).reply) return;
  if (!vacationDue(state, a, now.getTime())) return;
  const asked = a.from === null ? null : parseAddressList(a.from)[0];
  const askedEmail = asked?.mailbox && asked.host ? `${asked.mailbox}@${asked.host}` : null;
  const from =
    askedEmail !== null && askedEmail.toLowerCase() === account.toLowerCase()
      ? { name: decodeHeaderValue(asked?.name ?? ""), email: askedEmail }
      : { name: "", email: account };
  const raw = buildVacationReply({
    original: state.message,
    response: {
      isEnabled: true,
      fromDate: null,
      toDate: null,
      subject: a.subject,
      textBody: a.mime ? null : a.reason,
      htmlBody: null,
    },
    ...(a.mime ? { mimeEntity: a.reason } : {}),
    from,
    to: state.envelope.from,
    hostname: HOSTNAME,
    now,
    maxOriginalSubjectBytes: VACATION_DEFAULTS.maxOriginalSubjectBytes,
  });
  state.outbox.push({ from: "", to: state.envelope.from, raw });
}

function notify(state: TestsuiteState, a: Extract<SieveAction, { type: "notify" }>, now: Date): boolean {
  const parsed = parseMailto(a.method);
  if (!parsed.ok) {
    state.errors.push(`notify: ${parsed.error}`);
    return false;
  }
  if (state.envelope.from === "" || automatic(state.message)) return true;
  const from = a.from !== null && isValidFrom(a.from) ? a.from.replace(/[\r\n]+/g, " ") : state.envelope.to;
  const raw = notificationMessage({
    uri: parsed.uri,
    from,
    importance: a.importance,
    message: a.message,
    trigger: state.message,
    hostname: HOSTNAME,
    now,
  });
  for (const { address: to } of parsed.uri.recipients) state.outbox.push({ from: "", to, raw });
  return true;
}

/** Carries out the actions; false (with the reason in state.errors) when one failed. */
export function executeResult(state: TestsuiteState, result: ExecutableResult, now: Date): boolean {
  const filed = result.edited ?? state.message;
  let ok = true;
  for (const a of result.actions) {
    switch (a.type) {
      case "keep":
        state.store("INBOX", { raw: filed, flags: [...a.flags] });
        break;
      case "fileinto": {
        // postoffice/file-local.ts: a missing mailbox is created with :create (RFC 5490 3.2),
        // else (or when the store refuses the name) the copy goes to INBOX (RFC 5228 4.1); the
        // execution counts as failed then, as Pigeonhole's does.
        let name: string | null = null;
        try {
          name = normalizeMailboxName(a.mailbox, MAX_MAILBOX_BYTES);
        } catch {
          state.errors.push(`failed to store into mailbox '${a.mailbox}': the store refuses the name`);
        }
        if (name !== null && (a.create || state.mailboxExists(name))) {
          state.store(name, { raw: filed, flags: [...a.flags] });
          break;
        }
        if (name !== null)
          state.errors.push(`failed to store into mailbox '${a.mailbox}': it does not exist`);
        state.store("INBOX", { raw: filed, flags: [...a.flags] });
        ok = false;
        break;
      }
      case "discard":
        break;
      case "redirect": {
        // postoffice/redirect.ts: not to the account itself, nor when X-Sieve-Redirected-From
        // shows this account redirected the message before (a loop); the account then keeps it
        // when nothing else filed it.
        const account = state.envelope.to.toLowerCase();
        if (redirectedBy(state.message).has(account) || a.address.toLowerCase() === account) {
          state.errors.push(`redirect to ${a.address} not sent: a loop`);
          if (!result.actions.some((x) => x.type === "keep" || x.type === "fileinto")) {
            state.store("INBOX", { raw: filed, flags: [] });
          }
          break;
        }
        // The copy carries X-Sieve-Redirected-From naming the account.
        const mark = Buffer.from(`${REDIRECTED_FROM}: <${state.envelope.to}>\r\n`, "utf8");
        state.outbox.push({ from: state.envelope.from, to: a.address, raw: Buffer.concat([mark, filed]) });
        break;
      }
      case "reject":
        // RFC 5429 2.1: no rejection for the null sender.
        if (state.envelope.from === "") break;
        state.outbox.push({
          from: "",
          to: state.envelope.from,
          raw: buildRejectionMessage({
            original: state.message,
            reason: a.reason,
            recipient: state.envelope.to,
            to: state.envelope.from,
            hostname: HOSTNAME,
            now,
          }),
        });
        break;
      case "vacation":
        vacation(state, a, now);
        break;
      case "notify":
        ok = notify(state, a, now) && ok;
        break;
    }
  }
  return ok;
}
