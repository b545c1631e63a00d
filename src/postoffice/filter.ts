// Stage "filter": the ordered list of filters (given to createPostOffice: the built-in antivirus
// and spam filters, src/app/start.ts, then AppDeps.filters; Sieve will be one). Each filter that applies to the door sees the
// message in turn and may add header fields, send some accounts' copies to Junk, reject (a 5xx in
// the SMTP dialogue, never a bounce: RFC 5321 §6.2 says not to accept what we would not deliver)
// or discard. The first reject or discard ends the list.
import { scanHeader } from "../mime/headers.js";
import { PostOfficeError } from "./errors.js";
import type { Door, Filter, Stage } from "./types.js";

const defaultDoors: readonly Door[] = ["inbound", "submission", "jmap"];

export function appliesTo(filter: Filter, door: Door): boolean {
  return (filter.doors ?? defaultDoors).includes(door);
}

/** A header field a filter adds must be one field: "Name: value", no line break inside. */
const fieldShape = /^[!-9;-~]+:[^\r\n]*$/;

export const filterStage: Stage = {
  name: "filter",
  doors: new Set(["inbound", "submission", "jmap", "system"]),
  async run(work, { filters }) {
    const added: string[] = [];
    for (const f of filters) {
      if (!appliesTo(f, work.letter.door)) continue;
      const v = await f.check({
        door: work.letter.door,
        id: work.id,
        mailFrom: work.letter.mailFrom,
        recipients: work.letter.recipients,
        body: work.body,
        accountIds: work.accountIds,
        accountId: work.letter.accountId,
        origin: work.letter.origin,
        screen: work.letter.screen ?? null,
        auth: work.auth,
      });
      if (v.kind === "reject") {
        work.log.info("filter rejected", { filter: f.name, reason: v.reason });
        // The reason is shown in a reply line (SMTP) or a SetError: one line, bounded.
        throw new PostOfficeError(v.cause === "virus" ? "virus" : "rejected", oneLine(v.reason), f.name);
      }
      if (v.kind === "defer") {
        work.log.warn("filter deferred", { filter: f.name, reason: v.reason });
        throw new PostOfficeError("filter-temporary", oneLine(v.reason));
      }
      if (v.kind === "discard") {
        work.log.info("filter discarded", { filter: f.name, reason: v.reason });
        work.discarded = true;
        return "stop";
      }
      if (v.removeFields && v.removeFields.length > 0) work.body = withoutFields(work.body, v.removeFields);
      for (const h of v.headers ?? []) {
        if (!fieldShape.test(h))
          throw new TypeError(`filter ${f.name}: not one header field: ${JSON.stringify(h)}`);
        added.push(`${h}\r\n`);
      }
      if (v.hold !== undefined && work.hold === null) {
        work.log.warn("filter held the remote copies", { filter: f.name, reason: v.hold });
        work.hold = oneLine(v.hold);
      }
      if (v.note) work.verdicts.push(`${f.name}=${oneLine(v.note)}`);
      if (v.spam) {
        work.spam = { score: v.spam.score, threshold: v.spam.threshold };
        for (const a of v.spam.accounts ?? [])
          work.spamByAccount.set(a.accountId, { score: a.score, threshold: a.threshold });
      }
      if (v.virus !== undefined) work.virus = v.virus;
      for (const { accountId, folder } of v.folders ?? [])
        if (work.accountIds.includes(accountId)) work.folders.set(accountId, folder);
    }
    if (added.length > 0) work.filterFields = Buffer.from(added.join(""), "utf8");
    return "next";
  },
};

/** The message without the top-level header fields of these (lower-case) names; the same
 *  buffer when it has none (a clean message stays byte-exact). */
export function withoutFields(message: Buffer, names: readonly string[]): Buffer {
  const drop = new Set(names);
  const { fields } = scanHeader(message, 0, message.length);
  const parts: Buffer[] = [];
  let pos = 0;
  for (const f of fields) {
    if (!drop.has(f.lname)) continue;
    parts.push(message.subarray(pos, f.start));
    pos = f.end;
  }
  if (parts.length === 0) return message;
  parts.push(message.subarray(pos));
  return Buffer.concat(parts);
}

function oneLine(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]+/g, " ").slice(0, 200);
}
