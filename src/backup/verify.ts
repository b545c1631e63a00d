// `yubin verify`: the store's own consistency checks (store/sqlite/verify.ts, and on PostgreSQL
// store/postgres/verify.ts, the same checks and problems), worded for people.
// Each problem says what it is and what --repair does about it; a missing or damaged body cannot
// be repaired, so its line names the messages that use it (to restore from a backup).
import { verifyPostgresStore } from "../store/postgres/verify.js";
import {
  type MessageRef,
  repairable,
  type VerifyProblem,
  type VerifyResult,
  verifySqliteStore,
} from "../store/sqlite/verify.js";

export type { VerifyProblem, VerifyResult };

/** The SQLite store in `dataDir`, or with `postgresUrl` the PostgreSQL store it names. */
export function verifyInstallation(opts: {
  dataDir: string;
  repair?: boolean;
  postgresUrl?: string;
}): Promise<VerifyResult> {
  if (opts.postgresUrl) return verifyPostgresStore({ url: opts.postgresUrl, repair: opts.repair });
  return verifySqliteStore(opts);
}

const MAX_REFS = 10;

function refs(messages: readonly MessageRef[], queued: number): string {
  const shown = messages
    .slice(0, MAX_REFS)
    .map((m) => `${m.account} ${JSON.stringify(m.mailbox)} UID ${m.uid}`);
  if (messages.length > MAX_REFS) shown.push(`${messages.length - MAX_REFS} more`);
  if (queued > 0) shown.push(`${queued} queued for sending`);
  return shown.length > 0 ? `used by ${shown.join(", ")}` : "used by nothing";
}

/** One line per problem: what is wrong, then what --repair does (or that it cannot). */
export function describeProblem(p: VerifyProblem): string {
  const fix = repairable(p) ? "repair:" : "cannot repair (restore from a backup):";
  switch (p.kind) {
    case "body-missing":
      return `body ${p.hash} missing; ${refs(p.messages, p.queued)}; ${fix} nothing`;
    case "body-corrupt":
      return `body ${p.hash} (${p.inline ? "in the database" : "file"}) does not match its hash; ${refs(p.messages, p.queued)}; ${fix} nothing`;
    case "blob-row-missing":
      return `message ${p.message.account} ${JSON.stringify(p.message.mailbox)} UID ${p.message.uid} has no body record; ${fix} nothing`;
    case "refcount":
      return `body ${p.hash} reference count ${p.recorded}, used ${p.actual} times; ${fix} set it to ${p.actual}${p.actual === 0 ? " (drops the body)" : ""}`;
    case "uid-next":
      return `${p.account} ${JSON.stringify(p.mailbox)} UIDNEXT ${p.uidNext} but UID ${p.maxUid} exists; ${fix} raise UIDNEXT to ${p.maxUid + 1}`;
    case "highest-modseq":
      return `${p.account} ${JSON.stringify(p.mailbox)} HIGHESTMODSEQ ${p.highestModseq} below a MODSEQ of ${p.maxModseq}; ${fix} raise it to ${p.maxModseq}`;
    case "quota":
      return `${p.account} quota usage ${p.recordedBytes} bytes / ${p.recordedMessages} messages, actual ${p.actualBytes} / ${p.actualMessages}; ${fix} recount`;
  }
}
