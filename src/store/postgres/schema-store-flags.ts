// Schema v6: store_flags_one(), a one-UID STORE of system flags (add or remove, no keyword) in one
// round trip that writes only when the message changes (mail-flags.ts).
//
// Why a function: the same read and compare-and-set as one SQL statement (data-modifying CTEs) cost
// more CPU than the two statements it replaced, since both UPDATEs' executors start at every call,
// also for the STOREs that change nothing (docs/ARCHITECTURE.md, PostgreSQL store, has the
// measures). Here the UPDATEs run only on a change.
//
// The read is READ_ONE's (mail-flags.ts): the mailbox's counters and the message in one statement,
// one snapshot. The write is WRITE_ONE_IF_UNCHANGED's compare and set in two statements of the same
// transaction: the mailbox's highest_modseq moved only if it is still the one read when its row is
// locked (so no message of it changed since: every writer moves it under that lock), then the
// message. r_written false with a change to make: another writer came between; the caller reads
// again. No row: no such mailbox.
export const STORE_FLAGS_FUNCTION: readonly string[] = [
  `CREATE FUNCTION store_flags_one(p_box BIGINT, p_uid BIGINT, p_add INTEGER, p_remove INTEGER, p_since BIGINT)
   RETURNS TABLE (account_id BIGINT, highest_modseq BIGINT, id BIGINT, uid BIGINT, modseq BIGINT,
                  sys_flags INTEGER, keywords TEXT, written BOOLEAN)
   LANGUAGE plpgsql AS $$
   DECLARE r RECORD; nb INTEGER;
   BEGIN
     SELECT b.account_id AS acc, b.highest_modseq AS hm, m.id AS mid, m.uid AS muid, m.modseq AS ms,
            m.sys_flags AS bits, m.keywords AS kw
       INTO r
       FROM mailboxes b LEFT JOIN messages m ON m.mailbox_id = b.id AND m.uid = p_uid
      WHERE b.id = p_box;
     IF NOT FOUND THEN RETURN; END IF;
     account_id := r.acc; highest_modseq := r.hm; id := r.mid; uid := r.muid; modseq := r.ms;
     sys_flags := r.bits; keywords := r.kw; written := false;
     IF r.mid IS NULL OR (p_since IS NOT NULL AND r.ms > p_since) THEN RETURN NEXT; RETURN; END IF;
     nb := (r.bits | p_add) & ~p_remove;
     IF nb = r.bits THEN RETURN NEXT; RETURN; END IF;
     UPDATE mailboxes x SET highest_modseq = r.hm + 1 WHERE x.id = p_box AND x.highest_modseq = r.hm;
     IF FOUND THEN
       UPDATE messages m SET sys_flags = nb, modseq = r.hm + 1 WHERE m.id = r.mid AND m.mailbox_id = p_box;
       written := true;
     END IF;
     RETURN NEXT;
   END $$`,
];
