// Ids for sessions and accepted messages (logs, Received "id", the 250 reply). Unique within a
// process by a counter, across restarts by the start time; no randomness needed per message.

const prefix = Math.floor(Date.now() / 1000)
  .toString(36)
  .toUpperCase();
let seq = 0;

export function nextId(): string {
  seq = (seq + 1) % 36 ** 6;
  return prefix + seq.toString(36).toUpperCase().padStart(6, "0");
}
