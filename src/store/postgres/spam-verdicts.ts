// SpamStore.recordVerdict on PostgreSQL: the verdicts recorded in one turn of the event loop (the
// filter's VerdictLog submits its batch at once: src/spam/verdict-log.ts) go in one autocommit
// statement that inserts them and trims the table to the newest `keep`.
// Why: one transaction per verdict (BEGIN, INSERT, the trim, COMMIT) was four round trips and a
// WAL flush per inbound message, as many as the message's own filing (docs/ARCHITECTURE.md,
// PostgreSQL store: a delivery's round trips).
import { count, VERDICTS_MAX, type VerdictRow, verdictRow } from "../shared/spam.js";
import type { SpamVerdictRecord } from "../types.js";
import type { PgCtx } from "./context.js";
import { db, withoutNul } from "./filter-kit.js";

// The trim and the insert see the same snapshot (the rows before this statement), so the trim
// keeps the newest `keep - inserted` of those ($10): with the inserted rows, `keep` in all. The
// identity values follow the batch's order (ORDER BY n), so the newest is the last recorded.
const RECORD = `WITH trimmed AS (
  DELETE FROM spam_verdicts
  WHERE id <= (SELECT id FROM spam_verdicts ORDER BY id DESC OFFSET $10 LIMIT 1)
)
INSERT INTO spam_verdicts (at, message_id, door, mail_from, recipient, recipients, score, action, reasons)
SELECT at, message_id, door, mail_from, recipient, recipients, score, action, reasons
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::float8[],
  $8::text[], $9::text[]) WITH ORDINALITY
  AS v(at, message_id, door, mail_from, recipient, recipients, score, action, reasons, n)
ORDER BY n`;

interface Waiting {
  row: VerdictRow;
  keep: number;
  done: (e?: unknown) => void;
}

export function createVerdictRecorder(ctx: PgCtx): (v: SpamVerdictRecord, keep: number) => Promise<void> {
  let waiting: Waiting[] = [];

  async function write(batch: Waiting[]): Promise<void> {
    // One statement per run of equal `keep` (one run: the config's keepVerdicts).
    for (let i = 0; i < batch.length; ) {
      const keep = batch[i]!.keep;
      let j = i;
      while (j < batch.length && batch[j]!.keep === keep) j++;
      const run = batch.slice(i, j);
      i = j;
      // More than `keep` at once: the older ones would be trimmed at once; never written.
      const rows = run.slice(Math.max(0, run.length - keep)).map((w) => w.row);
      try {
        if (rows.length === 0) await db(ctx).run("DELETE FROM spam_verdicts");
        else
          await db(ctx).run(RECORD, [
            rows.map((r) => r.at),
            rows.map((r) => r.message_id),
            rows.map((r) => r.door),
            rows.map((r) => r.mail_from),
            rows.map((r) => r.recipient),
            rows.map((r) => r.recipients),
            rows.map((r) => r.score),
            rows.map((r) => r.action),
            rows.map((r) => r.reasons),
            keep - rows.length,
          ]);
        for (const w of run) w.done();
      } catch (e) {
        for (const w of run) w.done(e);
      }
    }
  }

  return async (v, keep) => {
    count(keep, "keep", VERDICTS_MAX);
    const row = verdictRow(v, withoutNul);
    db(ctx); // refused once the store is closed, as every call is
    return new Promise<void>((resolve, reject) => {
      if (waiting.length === 0)
        queueMicrotask(() => {
          const batch = waiting;
          waiting = [];
          void write(batch);
        });
      waiting.push({ row, keep, done: (e) => (e === undefined ? resolve() : reject(e)) });
    });
  };
}
