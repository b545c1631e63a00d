// Migration: the correlation id of a queue entry (issue 21). The post office's id for the
// message (the one in SMTP's "250 ... queued as" reply and in every log line about it) is kept
// with each entry, so the delivery engine's lines about the entry, up to the remote server's
// 250, carry the same id. NULL for entries queued before this version.

export const queueCidMigration = `
ALTER TABLE queue ADD COLUMN cid TEXT;
`;
