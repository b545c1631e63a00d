// [import] section of the config file: imports an admin starts from the admin pages (Imports),
// which run in the background inside the server process (jobs.ts). `yubin import` on the command
// line is not bound by these: it runs in its own process.
import { isAbsolute } from "node:path";
import { int, strList } from "../config/dsl.js";

function checkRoots(entries: string[]): string | null {
  const bad = entries.find((e) => !isAbsolute(e));
  return bad === undefined ? null : `"${bad}" is not an absolute path`;
}

export const importSection = {
  maxRunning: int(
    2,
    "Imports started from the admin pages that run at once (one per account at most); another is refused until one ends. Each holds one batch of messages in memory (16 MiB at most) and competes with deliveries for the disk.",
    { min: 1, max: 32 },
  ),
  keepFinished: int(
    50,
    "Finished imports (with their summaries) the admin pages list until the server restarts; older ones are forgotten.",
    { min: 1, max: 10000 },
  ),
  pathRoots: strList(
    [],
    'Directories under which the admin pages may import a Maildir or mbox from a path on the server (e.g. ["/srv/migration"]). Empty: the admin pages import only over IMAP, since a path import reads files with the server\'s own rights.',
    checkRoots,
  ),
  imapConnectTimeoutSec: int(
    30,
    "An IMAP pull (yubin import imap, the admin page) gives up connecting, or waiting for the old server's greeting, after this long.",
    { min: 1, max: 600 },
  ),
  imapIdleTimeoutSec: int(
    120,
    "An IMAP pull stops with an error when the old server sends nothing for this long; what was filed stays and a re-run continues.",
    { min: 5, max: 3600 },
  ),
  imapFetchGroupBytes: int(
    8 * 1024 * 1024,
    "An IMAP pull fetches bodies in groups of about this many octets (a larger message alone): the memory one folder's read holds, and fewer round trips the larger it is.",
    { min: 64 * 1024, max: 256 * 1024 * 1024 },
  ),
};
