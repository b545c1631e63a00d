// Test helper of the notifiers between nodes (src/cluster/redis-notifier.test.ts,
// src/store/postgres/notifier.test.ts).
import type { ChangeNotifier, MailEvent } from "./notifier.js";

/** The events `notifier` publishes for `accountId` from now on, as they come. */
export function heard(notifier: ChangeNotifier, accountId: number): MailEvent[] {
  const got: MailEvent[] = [];
  notifier.subscribe(accountId, { onMailEvent: (e) => got.push(e) });
  return got;
}
