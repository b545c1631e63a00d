// test_result_execute: carry out a result's actions against the test file's mail store and
// outbox, as the post office's sieve stage does against the real ones. Keep and fileinto file the
// (edited) message with its flags; redirect, reject, vacation and notify put a message in the
// outbox with its envelope, composed with the same builders and rules delivery uses where they
// are pure functions (src/delivery/vacation-rules.ts, vacation-message.ts).
import { buildVacationReply } from "../../delivery/vacation-message.js";
import { vacationVerdict } from "../../delivery/vacation-rules.js";
import { fieldValue, scanHeader } from "../../mime/headers.js";
import type { SieveAction } from "../types.js";
import { bareAddress, type TestsuiteState } from "./state.js";

export interface ExecutableResult {
  actions: readonly SieveAction[];
  edited: Buffer | null;
}

/** RFC 3834 / RFC 5230 4.6: a reply goes out at most once per sender within :days/:seconds. */
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

function firstHeader(raw: Buffer, name: string): string | null {
  const { fields } = scanHeader(raw, 0, raw.length);
  const f = fields.find((x) => x.lname === name);
  return f ? fieldValue(raw, f) : null;
}

/** The address part of "Name <a@b>" or "a@b". */
function addrOf(s: string): string {
  const lt = s.lastIndexOf("<");
  const gt = s.lastIndexOf(">");
  return lt >= 0 && gt > lt ? s.slice(lt + 1, gt).trim() : s.trim();
}

/** RFC 5429 2.1 / RFC 3798: the rejection, an MDN with disposition "deleted" quoting the
 *  original's header. */
function rejectMessage(state: TestsuiteState, reason: string): Buffer {
  const b = "=_reject";
  const end = scanHeader(state.message, 0, state.message.length).bodyStart;
  const text =
    `From: Mail Delivery System <postmaster@example.com>\r\nTo: <${state.envelope.from}>\r\n` +
    `Subject: Automatically rejected mail\r\nAuto-Submitted: auto-replied (rejected)\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary="${b}"\r\n\r\n` +
    `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
    `Your message to <${state.envelope.to}> was automatically rejected:\r\n${reason.replace(/\r?\n/g, "\r\n")}\r\n` +
    `--${b}\r\nContent-Type: message/disposition-notification\r\n\r\n` +
    `Final-Recipient: rfc822; ${state.envelope.to}\r\nDisposition: automatic-action/MDN-sent-automatically; deleted\r\n` +
    `--${b}\r\nContent-Type: text/rfc822-headers\r\n\r\n` +
    `${state.message.subarray(0, end).toString("latin1")}\r\n--${b}--\r\n`;
  return Buffer.from(text, "latin1");
}

/** RFC 6068 mailto: URI to its recipients and header fields (RFC 5436 2). */
function parseMailto(uri: string): { to: string[]; headers: [string, string][]; body: string | null } | null {
  if (!/^mailto:/i.test(uri)) return null;
  const rest = uri.slice(7);
  const q = rest.indexOf("?");
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const to = (q < 0 ? rest : rest.slice(0, q))
    .split(",")
    .map((s) => dec(s).trim())
    .filter((s) => s !== "");
  const headers: [string, string][] = [];
  let body: string | null = null;
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split("&")) {
      const eq = pair.indexOf("=");
      const name = dec(eq < 0 ? pair : pair.slice(0, eq));
      const value = dec(eq < 0 ? "" : pair.slice(eq + 1));
      if (name.toLowerCase() === "body") body = value;
      else if (name.toLowerCase() === "to") to.push(...value.split(",").map((s) => s.trim()));
      else headers.push([name, value]);
    }
  }
  return { to, headers, body };
}

/** RFC 5436 2.7 importance → X-Priority / Importance. */
const PRIORITY: Record<1 | 2 | 3, string> = { 1: "1 (Highest)", 2: "3 (Normal)", 3: "5 (Lowest)" };
const IMPORTANCE: Record<1 | 2 | 3, string> = { 1: "high", 2: "normal", 3: "low" };

function notifyMessages(state: TestsuiteState, a: Extract<SieveAction, { type: "notify" }>): boolean {
  const m = parseMailto(a.method);
  if (!m) return false;
  const subjectHeader = m.headers.find(([n]) => n.toLowerCase() === "subject");
  const subject =
    subjectHeader?.[1] ?? a.message ?? `Notification: ${firstHeader(state.message, "subject") ?? ""}`;
  // RFC 5436 2.2: only the safe header fields of the URI are used.
  const extra = m.headers.filter(
    ([n]) => !/^(subject|from|sender|to|bcc|date|message-id|auto-submitted)$/i.test(n),
  );
  const from = a.from ?? state.envelope.to;
  const lines = [
    `From: ${from}`,
    `To: ${m.to.join(", ")}`,
    ...extra.map(([n, v]) => `${n}: ${v}`),
    `Subject: ${subject}`,
    `Auto-Submitted: auto-notified; owner-email="${state.envelope.to}"`,
    `X-Sieve: Yubin Sieve`,
    `X-Priority: ${PRIORITY[a.importance]}`,
    `Importance: ${IMPORTANCE[a.importance]}`,
    `MIME-Version: 1.0`,
    `Content-Type: text/plain; charset=utf-8`,
  ];
  const body = m.body ?? a.message ?? "";
  const raw = Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body.replace(/\r?\n/g, "\r\n")}\r\n`, "utf8");
  // RFC 5436 2.7: the envelope sender is the null path, auto-notifications are never bounced.
  const cc = extra.filter(([n]) => n.toLowerCase() === "cc").flatMap(([, v]) => v.split(","));
  for (const to of [...m.to, ...cc].map((s) => addrOf(s)).filter((s) => s !== "")) {
    state.outbox.push({ from: "", to, raw });
  }
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
      case "fileinto":
        if (!a.create && !state.mailboxExists(a.mailbox)) {
          // RFC 5228 4.1 leaves a missing folder to the implementation; like the post office,
          // the message is then kept instead (and the run reports the failure).
          state.errors.push(`mailbox '${a.mailbox}' does not exist`);
          state.store("INBOX", { raw: filed, flags: [...a.flags] });
          ok = false;
          break;
        }
        state.store(a.mailbox, { raw: filed, flags: [...a.flags] });
        break;
      case "discard":
        break;
      case "redirect":
        state.outbox.push({ from: state.envelope.from, to: bareAddress(a.address), raw: filed });
        break;
      case "reject":
        // RFC 5429 2.1: no rejection for the null sender.
        if (state.envelope.from !== "") {
          state.outbox.push({ from: "", to: state.envelope.from, raw: rejectMessage(state, a.reason) });
        }
        break;
      case "vacation": {
        const own = [state.envelope.to, ...a.addresses];
        if (!vacationVerdict({ header: state.message, mailFrom: state.envelope.from, own }).reply) break;
        if (!vacationDue(state, a, now.getTime())) break;
        const fromText = a.from ?? state.envelope.to;
        const fromAddress = addrOf(fromText);
        const name = fromText.includes("<") ? fromText.slice(0, fromText.lastIndexOf("<")).trim() : "";
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
          from: { name: name.replace(/^"|"$/g, ""), email: fromAddress },
          to: state.envelope.from,
          hostname: "example.com",
          now,
          maxOriginalSubjectBytes: 256,
        });
        // RFC 5230 4.1: a :mime reason is a whole MIME entity; it replaces the text part.
        const full = a.mime ? withMimeBody(raw, a.reason) : raw;
        state.outbox.push({ from: "", to: state.envelope.from, raw: full });
        break;
      }
      case "notify":
        if (!notifyMessages(state, a)) {
          state.errors.push(`notify method '${a.method}' not supported`);
          ok = false;
        }
        break;
    }
  }
  return ok;
}

/** Replaces the reply's body part (its Content-Type and what follows) with a MIME entity. */
function withMimeBody(reply: Buffer, entity: string): Buffer {
  const s = reply.toString("utf8");
  const at = s.search(/^Content-Type:/im);
  const head = at < 0 ? s : s.slice(0, at);
  return Buffer.from(`${head}${entity.replace(/\r?\n/g, "\r\n")}`, "utf8");
}
