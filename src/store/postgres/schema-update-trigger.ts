// Schema v4 (issue 17): the messages UPDATE trigger (schema-mail.ts) with a path for one row.
//
// A STORE of one message (and the \Deleted mark before an EXPUNGE) updates one row; the trigger
// then ran its set-based statements all the same — the accounts lock and quota move (for a
// message moved to another account), the change log's aggregation over the transition tables and
// log_changes' lock and CTE: five statements, each with PostgreSQL's per-statement executor
// start-up, which a perf profile of its backends under bench:imap's mixed load showed to be most of
// its CPU (no hot spot: executor start-up, catalog and lock hash look-ups, memory contexts). One
// row that stays in its account and thread logs the Email touched with log_change, as
// messages_ins does for one new row: the same change-log row, seq and lock order (change_seq
// locked by its UPDATE as log_changes locks it first). Anything else takes the general path,
// unchanged. A psql loop of 300 one-row flag UPDATEs: 222-498 ms before, 82-221 ms after (load 12).
export const UPDATE_TRIGGER: readonly string[] = [
  `CREATE OR REPLACE FUNCTION messages_upd() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE nr RECORD; orow RECORD;
   BEGIN
     -- One row, within its account and thread (STORE or a \\Deleted mark of one message, the
     -- common case): the Email touched if it changed, by log_change — not the five set-based
     -- statements below (log_changes does the same for one 'touch').
     IF (SELECT count(*) FROM (SELECT 1 FROM new_rows LIMIT 2) x) = 1 THEN
       SELECT * INTO nr FROM new_rows;
       SELECT * INTO orow FROM old_rows;
       IF nr.account_id = orow.account_id AND nr.thread_id = orow.thread_id THEN
         IF nr.sys_flags IS DISTINCT FROM orow.sys_flags OR nr.keywords IS DISTINCT FROM orow.keywords
            OR nr.mailbox_id <> orow.mailbox_id OR nr.modseq <> orow.modseq THEN
           PERFORM log_change(nr.account_id, 1, nr.id, 'touch');
         END IF;
         RETURN NULL;
       END IF;
     END IF;
     PERFORM 1 FROM accounts WHERE id IN (
         SELECT o.account_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.account_id <> o.account_id
         UNION SELECT n.account_id FROM old_rows o JOIN new_rows n ON n.id = o.id
               WHERE n.account_id <> o.account_id)
       ORDER BY id FOR NO KEY UPDATE;
     UPDATE accounts a SET used_bytes = a.used_bytes + s.bytes, used_messages = a.used_messages + s.n
       FROM (SELECT x.acc, sum(x.bytes) AS bytes, sum(x.n) AS n
             FROM (SELECT o.account_id AS acc, -o.size AS bytes, -1 AS n
                   FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.account_id <> o.account_id
                   UNION ALL
                   SELECT n.account_id, n.size, 1
                   FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.account_id <> o.account_id) x
             GROUP BY x.acc) s
       WHERE a.id = s.acc;
     PERFORM log_changes(array_agg(e.acc ORDER BY e.id, e.k), array_agg(e.typ ORDER BY e.id, e.k),
                         array_agg(e.obj ORDER BY e.id, e.k), array_agg(e.mode ORDER BY e.id, e.k))
       FROM (SELECT n.id, x.k, x.acc, x.typ, x.obj, x.mode
             FROM old_rows o JOIN new_rows n ON n.id = o.id
             CROSS JOIN LATERAL (VALUES
               -- Into another account: destroyed in the old one, its old thread left; created in
               -- the new one, its thread touched (the order of the per-row trigger).
               (1, o.account_id, 1, o.id, 'destroy', n.account_id <> o.account_id),
               (2, o.account_id, 3, o.thread_id, 'left', n.account_id <> o.account_id),
               (3, n.account_id, 1, n.id, 'create', n.account_id <> o.account_id),
               (4, n.account_id, 3, n.thread_id, 'touch', n.account_id <> o.account_id),
               -- Within the account: the Email touched, the thread left and the new one touched.
               (5, n.account_id, 1, n.id, 'touch', n.account_id = o.account_id AND (
                  n.sys_flags IS DISTINCT FROM o.sys_flags OR n.keywords IS DISTINCT FROM o.keywords
                  OR n.mailbox_id <> o.mailbox_id OR n.modseq <> o.modseq)),
               (6, o.account_id, 3, o.thread_id, 'left',
                  n.account_id = o.account_id AND n.thread_id <> o.thread_id),
               (7, n.account_id, 3, n.thread_id, 'touch',
                  n.account_id = o.account_id AND n.thread_id <> o.thread_id)
             ) AS x(k, acc, typ, obj, mode, wanted)
             WHERE x.wanted) e;
     RETURN NULL;
   END $$`,
];
