// POP-before-SMTP (legacy; off unless auth.popBeforeSmtp): an IP that logged in over POP3 or
// IMAP may relay without SMTP AUTH for a few minutes. Remembered in the CounterStore (service.ts),
// so it is bounded like every counter and, with [cluster] redisUrl, a login on the node serving
// POP3 opens the IP on the node serving submission.

/** The counter that says `ip` logged in over POP3 or IMAP. "::ffff:192.0.2.1" (IPv4 on a
 *  dual-stack socket) and "192.0.2.1" are the same client. */
export function popBeforeSmtpKey(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return `pop-before-smtp:${(m?.[1] ?? ip).toLowerCase()}`;
}
