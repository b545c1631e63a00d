// Migration: the queue entry's lease token (issue 17, exactly once across engines). Every claim
// increments it; the claiming engine's renewals and its final write are conditional on it, so an
// engine whose lease lapsed and was claimed by another cannot overwrite the new owner's state.
// 0 for entries queued before this version (their next claim makes it 1).

export const queueLeaseMigration = `
ALTER TABLE queue ADD COLUMN lease INTEGER NOT NULL DEFAULT 0;
`;
