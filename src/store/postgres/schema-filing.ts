// Schema v2 (issue 17): file_delivery(), a delivery filed in one statement. Sent on its own
// (autocommit), it is one round trip where BEGIN, the locks, the body, the rows and COMMIT were
// five: on a loaded machine the socket writes of those round trips were the largest part of the
// server's CPU per message (docs/ARCHITECTURE.md, PostgreSQL store). mail-file.ts stays the path
// of every other filing (COPY, imports, bodies in several chunks) and states the same rules:
//  - lock order of schema-mail.ts: the target mailboxes (ascending id), then the accounts, then
//    the body's blob row; the messages triggers then take change_seq;
//  - UIDs (RFC 3501 2.3.1.1) and MODSEQs (RFC 7162 3.1.2) read from the locked mailbox row and
//    written back with it: unique and growing in commit order across nodes;
//  - the quota read under the account's lock (exact);
//  - the body content-addressed (one blobs row per hash; ON CONFLICT waits for a concurrent insert
//    of the same body and then reads the winner's row);
//  - a thread: that of the nearest ancestor (p_anc, nearest first), else a new one named by the
//    message's id. Each message is its own INSERT, so a second copy into the same account sees
//    the first (its own Message-ID is among p_anc).
// Errors are raised with SQLSTATEs of class YB, mapped back to typed errors by messages.ts:
// YB404 a missing account / mailbox / INBOX; YB507 over quota (DETAIL: the account's id).

export const FILING_FUNCTIONS: readonly string[] = [
  `CREATE FUNCTION file_delivery(
     p_accounts BIGINT[], p_boxes BIGINT[], p_bits INTEGER[], p_keywords TEXT[],
     p_internal_date BIGINT, p_now BIGINT, p_quota BOOLEAN,
     p_hash TEXT, p_size BIGINT, p_msgid TEXT, p_refs TEXT, p_structure TEXT, p_data BYTEA,
     p_anc TEXT[])
   RETURNS TABLE (r_account BIGINT, r_mailbox BIGINT, r_uid BIGINT, r_modseq BIGINT, r_id BIGINT)
   LANGUAGE plpgsql AS $$
   DECLARE
     n INTEGER := coalesce(array_length(p_accounts, 1), 0);
     box BIGINT[] := p_boxes;
     i INTEGER;
     k INTEGER;
     acc RECORD;
     blob BIGINT;
     u BIGINT;
     ms BIGINT;
     mid BIGINT;
     th BIGINT;
   BEGIN
     -- 0: the account's INBOX (INBOX is never renamed away nor deleted: RFC 3501 6.3.4, 6.3.5).
     FOR i IN 1..n LOOP
       IF box[i] = 0 THEN
         SELECT m.id INTO mid FROM mailboxes m WHERE m.account_id = p_accounts[i] AND m.name = 'INBOX';
         IF NOT FOUND THEN
           RAISE EXCEPTION 'no INBOX for account %', p_accounts[i] USING ERRCODE = 'YB404';
         END IF;
         box[i] := mid;
       END IF;
     END LOOP;
     PERFORM 1 FROM mailboxes m WHERE m.id = ANY(box) ORDER BY m.id FOR NO KEY UPDATE;
     PERFORM 1 FROM accounts a WHERE a.id = ANY(p_accounts) ORDER BY a.id FOR NO KEY UPDATE;
     FOR i IN 1..n LOOP
       IF NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = p_accounts[i]) THEN
         RAISE EXCEPTION 'no account %', p_accounts[i] USING ERRCODE = 'YB404';
       END IF;
       IF NOT EXISTS (SELECT 1 FROM mailboxes m WHERE m.id = box[i] AND m.account_id = p_accounts[i]) THEN
         RAISE EXCEPTION 'no mailbox % for account %', box[i], p_accounts[i] USING ERRCODE = 'YB404';
       END IF;
     END LOOP;
     IF p_quota THEN
       FOR acc IN
         SELECT a.id, a.quota_bytes, a.quota_messages, a.used_bytes, a.used_messages, x.k
         FROM (SELECT e AS id, count(*) AS k FROM unnest(p_accounts) AS e GROUP BY e) x
         JOIN accounts a ON a.id = x.id
       LOOP
         IF acc.quota_bytes > 0 AND acc.used_bytes + p_size * acc.k > acc.quota_bytes THEN
           RAISE EXCEPTION 'account % is over its storage quota', acc.id
             USING ERRCODE = 'YB507', DETAIL = acc.id::text;
         END IF;
         IF acc.quota_messages > 0 AND acc.used_messages + acc.k > acc.quota_messages THEN
           RAISE EXCEPTION 'account % is over its message quota', acc.id
             USING ERRCODE = 'YB507', DETAIL = acc.id::text;
         END IF;
       END LOOP;
     END IF;
     -- The body: inserted with its one chunk, or the stored one, locked (as storeBlob in blobs.ts).
     FOR k IN 1..3 LOOP
       INSERT INTO blobs (hash, size, refcount, msgid, refs, structure)
         VALUES (p_hash, p_size, 0, p_msgid, p_refs, p_structure)
         ON CONFLICT (hash) DO NOTHING RETURNING id INTO blob;
       IF blob IS NOT NULL THEN
         INSERT INTO blob_chunks (blob_id, seq, data) VALUES (blob, 0, p_data);
         EXIT;
       END IF;
       SELECT b.id INTO blob FROM blobs b WHERE b.hash = p_hash FOR NO KEY UPDATE;
       EXIT WHEN blob IS NOT NULL;
     END LOOP;
     IF blob IS NULL THEN
       RAISE EXCEPTION 'could not store blob %', p_hash USING ERRCODE = '40001';
     END IF;
     FOR i IN 1..n LOOP
       SELECT m.uid_next, m.highest_modseq + 1 INTO u, ms FROM mailboxes m WHERE m.id = box[i];
       mid := nextval(pg_get_serial_sequence('messages', 'id'));
       th := NULL;
       IF coalesce(array_length(p_anc, 1), 0) > 0 THEN
         SELECT m.thread_id INTO th FROM messages m
           WHERE m.account_id = p_accounts[i] AND m.msgid = ANY(p_anc)
           ORDER BY array_position(p_anc, m.msgid), m.id LIMIT 1;
       END IF;
       INSERT INTO messages (id, account_id, mailbox_id, uid, modseq, created_modseq, sys_flags,
           keywords, internal_date, saved_date, size, blob_id, thread_id, msgid)
         VALUES (mid, p_accounts[i], box[i], u, ms, ms, p_bits[i], p_keywords[i], p_internal_date,
           p_now, p_size, blob, coalesce(th, mid), p_msgid);
       UPDATE mailboxes m SET uid_next = u + 1, highest_modseq = ms WHERE m.id = box[i];
       r_account := p_accounts[i];
       r_mailbox := box[i];
       r_uid := u;
       r_modseq := ms;
       r_id := mid;
       RETURN NEXT;
     END LOOP;
   END $$`,
];
