// Forged mail programs: headers that claim Microsoft Outlook or Outlook Express while the rest
// of the header was written by something else. Outlook writes its Message-ID in one form,
// "<" + 8 or 12 hex digits + "$" + 8 hex + "$" + 8 hex + "@host>", whose first digits after the
// fourth are a clock reading; 2002-era spamware copied the X-Mailer line or the Message-ID form
// but not both, nor the clock (SpamAssassin's FORGED_MUA_OUTLOOK, RATWARE_MS_HASH and
// MSGID_OUTLOOK_INVALID, HeaderEval.pm check_outlook_message_id, whose definitions these
// follow). Outlook HTML-only mail without an <html> tag, or any text/html body without one, is
// the same kind of sign (FORGED_OUTLOOK_HTML, HTML_MIME_NO_HTML_TAG): Outlook and real HTML
// editors write the whole document. A Date zone no clock uses (INVALID_DATE_TZ_ABSURD: beyond
// ±14 hours, or minutes other than 00/15/30/45; RFC 5322 §3.3 zone) is made up.
// Why these: SpamAssassin run on the 2002 training groups (local tests, rule names reported)
// fired them on 32–160 of the 500 spam and on none of the 2,750 ham, and they fire on spam our
// classifier scores low out of fold: how a message was made, which survives a change of words
// and hosts. Scores: the logistic regression beside the classifier's out-of-fold log-odds
// (bench/spam/tune.ts --blocked --combine, 5 blocked folds, L2 0.001), in points (0.61 per
// log-odds unit / the fitted logit weight 0.65): fired on spam / ham of the 2002 groups —
// FORGED_MUA_OUTLOOK 63 / 0 (1.2), MSGID_OUTLOOK_INVALID 160 / 0 and RATWARE_MS_HASH 152 / 0
// (0.5 each: they mostly fire together, on spam the classifier already knows), FORGED_OUTLOOK_HTML
// 43 / 0 (0.3), INVALID_DATE_TZ_ABSURD 71 / 0 (0.2), HTML_MIME_NO_HTML_TAG 20 / 0 (0.3). Low on
// purpose: none fired on a training ham, and a fit then only says "more", never how much.
// Blocked CV of the filter's score (3 / 5 / 10 folds) with them, at 0.1 % and 1 % ham false
// positives: 82.4 / 95.2, 91.6 / 96.2, 91.6 / 97.2 % of spam, without: 81.2 / 93.6,
// 89.0 / 95.4, 90.2 / 96.6 % (docs/ARCHITECTURE.md, "Spam classifier").
import type { MessageView, Signal } from "../types.js";
import { header, type RuleFamily, topType } from "./types.js";

/** Longest Message-ID, X-Mailer or Date value looked at. */
const MAX_VALUE = 300;

/** Outlook's own Message-ID form (SpamAssassin's __OE_MSGID_2). */
const OUTLOOK_MSGID = /^<(?:[0-9a-f]{8}|[0-9a-f]{12})\$[0-9a-f]{8}\$[0-9a-f]{8}@[^\s>]{1,250}>$/;
/** Anything in the dollar-separated form (__MSGID_DOLLARS_OK). */
const DOLLARS_MSGID = /<[0-9a-f]{4,40}\$[0-9a-f]{4,40}\$[0-9a-f]{4,40}@[^\s>]{1,250}>/;
/** The clock reading inside Outlook's Message-ID: hex digits 5–12 (check_outlook_message_id). */
const OUTLOOK_CLOCK = /^<[0-9a-f]{4}([0-9a-f]{8})\$[0-9a-f]{8}\$[0-9a-f]{8}@/;
/** Windows Vista / IMS forms, which Outlook versions also write (__VISTA_MSGID, __IMS_MSGID). */
const HEX_MSGID = /^<[A-F\d]{32,40}@[^\s>]{1,250}>$/;
/** X-Mailer values of the Outlook versions that write the dollar form. */
const OUTLOOK_DOLLARS_MUA = /^Microsoft Outlook(?: 8| CWS, Build 9|, Build 10)\./;
const OE_MUA = /\bOutlook Express [456]\./;
const ANY_OUTLOOK_MUA = /^Microsoft (?:Office )?Outlook\b/;
/** A zone a clock can have: −14:00 … +14:00, whole or quarter hours (RFC 5322 §3.3). */
const ZONE = /[+-](\d\d)(\d\d)$/;
/** An <html> tag anywhere (one literal: linear, no copy of the markup). */
const HTML_TAG = /<html/i;
/** Hotmail writes its own Message-ID for Outlook Express mail sent through its web service
 *  (SpamAssassin's __OE_MSGID_1, __HOTMAIL_BAYDAV_MSGID): not a forgery. */
const HOTMAIL_MSGID = /@(?:hotmail|msn)\.com>$/i;

export const forgedMuaRules: RuleFamily = {
  name: "forged-mua",
  outbound: false,
  run({ view }) {
    const out: Signal[] = [];
    const mid = (header(view, "message-id") ?? "").trim().slice(0, MAX_VALUE);
    const mailer = (header(view, "x-mailer") ?? "").trim().slice(0, MAX_VALUE);
    const outlookMid = OUTLOOK_MSGID.test(mid) || HEX_MSGID.test(mid) || HOTMAIL_MSGID.test(mid);
    if (
      mid !== "" &&
      !outlookMid &&
      (OE_MUA.test(mailer) || OUTLOOK_DOLLARS_MUA.test(mailer) || mailer === "Outlook")
    )
      out.push({
        name: "FORGED_MUA_OUTLOOK",
        score: 1.2,
        detail: "X-Mailer says Outlook, Message-ID is not Outlook's",
      });
    if (DOLLARS_MSGID.test(mid) && !producedByMimeOle(view) && !viaExchange(view))
      out.push({
        name: "RATWARE_MS_HASH",
        score: 0.5,
        detail: "Outlook-style Message-ID without Outlook's X-MimeOLE",
      });
    if (outlookClockWrong(mid, view))
      out.push({
        name: "MSGID_OUTLOOK_INVALID",
        score: 0.5,
        detail: "the clock in the Outlook Message-ID is not the Date's",
      });
    const htmlOnly = view.html !== "" && topType(view) === "text/html";
    if (htmlOnly && ANY_OUTLOOK_MUA.test(mailer))
      out.push({ name: "FORGED_OUTLOOK_HTML", score: 0.3, detail: "Outlook X-Mailer on HTML-only mail" });
    if (htmlOnly && !HTML_TAG.test(view.html))
      out.push({ name: "HTML_MIME_NO_HTML_TAG", score: 0.3, detail: "text/html without an <html> tag" });
    const zone = ZONE.exec((header(view, "date") ?? "").trim().slice(-MAX_VALUE));
    if (zone !== null && absurdZone(Number(zone[1]), Number(zone[2])))
      out.push({ name: "INVALID_DATE_TZ_ABSURD", score: 0.2, detail: `Date zone ${zone[0]}` });
    return out;
  },
};

function absurdZone(hours: number, minutes: number): boolean {
  return hours > 14 || (minutes !== 0 && minutes !== 15 && minutes !== 30 && minutes !== 45);
}

function producedByMimeOle(view: MessageView): boolean {
  return (header(view, "x-mimeole") ?? "").trimStart().startsWith("Produced By Microsoft MimeOLE");
}

function viaExchange(view: MessageView): boolean {
  for (const h of view.headers)
    if (h.name === "received" && h.value.slice(0, 2000).includes("with Microsoft Exchange Server"))
      return true;
  return false;
}

/** check_outlook_message_id: the 8 hex digits after the fourth count time in units of
 *  1 / 0.0023283064365387 s from an epoch 27111902.83 units before 1970; more than 250 units
 *  (~30 hours) away from both the Date field and the newest Received field's date is a forgery. */
function outlookClockWrong(mid: string, view: MessageView): boolean {
  const m = OUTLOOK_CLOCK.exec(mid);
  if (m === null) return false;
  const token = Number.parseInt(m[1]!, 16);
  const off = (ms: number) =>
    Math.abs(token - Math.floor((ms / 1000) * 0.0023283064365387 + 27111902.8329849));
  const date = Date.parse((header(view, "date") ?? "").slice(0, MAX_VALUE));
  if (off(Number.isFinite(date) ? date : 0) < 250) return false;
  const received = header(view, "received") ?? "";
  const semi = received.lastIndexOf(";");
  const rdate = semi < 0 ? Number.NaN : Date.parse(received.slice(semi + 1, semi + 1 + MAX_VALUE));
  return off(Number.isFinite(rdate) ? rdate : 0) >= 250;
}
