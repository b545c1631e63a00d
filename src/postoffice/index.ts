// The post office: the one path every message takes, whatever door it came in by.
//
//   door ──▶ accept ─▶ sending limits ─▶ trace ─▶ authenticate ─▶ filter ─▶ sieve ─▶ redirect check
//        ─▶ file ─▶ redirect ─▶ notify ─▶ queue ─▶ wake ─▶ side effects
//
// Doors (types.ts Door): "inbound" (port 25, src/smtp), "submission" (SMTP 587/465, src/smtp),
// "jmap" (EmailSubmission/set and the webmail, src/jmap/submission/submit.ts), "system" (DSNs and
// delay notices from src/outbound/runner.ts, vacation replies from src/delivery/vacation.ts),
// "redirect" (a Sieve redirect to one of our addresses, posted again by redirect.ts). A
// door does what only it can (SMTP's line-end and NUL rules, send-as and author checks, resolving
// recipients as RCPT comes in) and hands over a Letter; each stage (one file each) names the
// doors it applies to.
//
// Invariants:
//  - Durable before acknowledged: post() resolves only after the local copies are filed
//    (store.mail.deliver) and the remote ones queued (store.queue.enqueue), both fsync'd; the door
//    replies 250 / returns success only then. Local before queue: if queueing fails after filing,
//    the door reports a temporary failure and the client may send again (a duplicate, never a loss).
//  - Filed once: one deliver call for all local accounts (all-or-nothing), one enqueue for all
//    remote recipients (each address once).
//  - One Received field of ours on every copy, local or remote; Return-Path on local copies only
//    (RFC 5321 §4.4).
//  - Every door but "inbound" DKIM-signs what it queues (RFC 6376; mail relayed from port 25 is
//    not ours to sign: forwarded on, it gets an SRS envelope sender and our ARC seal, forward.ts). Only "inbound" is verified (SPF/DKIM/DMARC/ARC) and gets our
//    Authentication-Results; forged ones naming us are removed from every door's mail.
//  - A filter's reject is an error the door renders in its dialogue (SMTP 5xx, JMAP SetError),
//    never a bounce; a discard is acknowledged and nothing is kept.
//  - The body Buffer is not copied except in the one concat per copy (local, remote) and is not
//    parsed beyond a header scan per stage that needs it.
//  - System mail is never filtered by default, never answered (no vacation replies to it).
//  - A user's mail (submission, jmap) is counted against the account's sending limits before
//    anything is written; over them it is refused with a temporary error, never dropped.

export { PostOfficeError, type PostOfficeErrorKind } from "./errors.js";
export { createPostOffice, type PostOffice, type PostOfficeOptions, type SystemMail } from "./post-office.js";
export { receivedHeader, returnPathHeader, type TraceOrigin, withProtocol } from "./trace-fields.js";
export type { Door, Filter, FilterInput, FilterVerdict, Folder, Letter, Posted, Recipient } from "./types.js";
