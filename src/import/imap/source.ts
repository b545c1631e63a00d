// An ImportSource that pulls from a live IMAP server with imapflow: every selectable folder
// (LIST, RFC 3501 6.3.8; \Noselect and \NonExistent skipped) with its RFC 6154 role, its
// subscription and its STATUS (count, size, UIDVALIDITY, UIDNEXT), and its messages in UID order.
//
// Streaming: a folder is read in windows of UIDs. For each window one UID FETCH asks only the
// sizes, then the bodies are fetched (BODY.PEEK[], so nothing is marked \Seen on the old server)
// in groups of at most `groupBytes`, a larger message alone, and one over `maxMessageBytes` not
// at all (a failure with its reason). So memory is one group, whatever the mailbox size.
//
// Position = the source UID: the engine records it with each filed batch, so a re-run continues
// after the last filed UID (resumable) and later runs fetch only UIDs above it (incremental).
// The engine keys the position on the folder's UIDVALIDITY (RFC 3501 2.3.1.1).
import { ImapFlow, type ImapFlowOptions, type ListResponse } from "imapflow";
import type { ImportSource, SourceFailure, SourceFolder, SourceMessage } from "../types.js";
import {
  type FolderFilter,
  folderWanted,
  importedFlags,
  uidSet,
  yubinFolderName,
  yubinSpecialUse,
} from "./names.js";

export type ImapTls = "implicit" | "starttls" | "none";

export interface ImapSourceOptions {
  host: string;
  port?: number;
  /** implicit: TLS from the first byte (993); starttls: STARTTLS required (143); none: cleartext. */
  tls: ImapTls;
  user: string;
  /** A password, or an OAuth 2.0 access token (OAUTHBEARER, RFC 7628, else XOAUTH2). */
  password?: string;
  accessToken?: string;
  /** Check the server's certificate (default true); false trusts a self-signed one. */
  rejectUnauthorized?: boolean;
  /** Extra CA certificates to trust (PEM), e.g. a test server's. */
  ca?: string;
  /** The name the certificate must carry when `host` is an address (SNI too). */
  servername?: string;
  folders?: FolderFilter;
  /** Messages above this size are not downloaded but reported as failures. */
  maxMessageBytes?: number;
  /** Bodies fetched in one UID FETCH at most (about): the memory a folder's read holds. */
  groupBytes?: number;
  /** UIDs asked per size window. */
  windowUids?: number;
  connectTimeoutMs?: number;
  /** No byte from the server for this long ends the import with an error. */
  socketTimeoutMs?: number;
}

export const IMAP_SOURCE_DEFAULTS = {
  maxMessageBytes: 50 * 1024 * 1024,
  groupBytes: 8 * 1024 * 1024,
  windowUids: 500,
  connectTimeoutMs: 30_000,
  socketTimeoutMs: 120_000,
} as const;

/** The source server refused us or went away: the message says which and what to do. */
export class ImapSourceError extends Error {
  constructor(
    message: string,
    readonly code: "connect" | "auth" | "lost" | "protocol",
  ) {
    super(message);
    this.name = "ImapSourceError";
  }
}

const GROUP_MESSAGES = 100;
const MAX_WINDOW = 1 << 20;

function reason(e: unknown): string {
  if (e && typeof e === "object") {
    const o = e as { responseText?: string; message?: string; code?: string };
    if (o.responseText) return o.responseText;
    if (o.code && o.message) return `${o.message} (${o.code})`;
    if (o.message) return o.message;
  }
  return String(e);
}

function clientOptions(o: ImapSourceOptions): ImapFlowOptions {
  const port = o.port ?? (o.tls === "implicit" ? 993 : 143);
  return {
    host: o.host,
    port,
    secure: o.tls === "implicit",
    // "starttls" requires the upgrade: credentials never cross the wire in cleartext because
    // an attacker stripped STARTTLS from the capability list.
    doSTARTTLS: o.tls === "starttls" ? true : o.tls === "none" ? false : undefined,
    auth:
      o.accessToken !== undefined
        ? { user: o.user, accessToken: o.accessToken }
        : { user: o.user, pass: o.password ?? "" },
    tls: {
      rejectUnauthorized: o.rejectUnauthorized ?? true,
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.servername ? { servername: o.servername } : {}),
    },
    logger: false,
    disableAutoIdle: true,
    // Bodies are fetched byte for byte, as stored; compression would only cost CPU on loopback
    // and a LAN, and over a WAN the server's own choice stays available by not disabling it.
    connectionTimeout: o.connectTimeoutMs ?? IMAP_SOURCE_DEFAULTS.connectTimeoutMs,
    greetingTimeout: o.connectTimeoutMs ?? IMAP_SOURCE_DEFAULTS.connectTimeoutMs,
    socketTimeout: o.socketTimeoutMs ?? IMAP_SOURCE_DEFAULTS.socketTimeoutMs,
    // A literal above the cap (plus headroom for a server whose RFC822.SIZE is a little off) is
    // a broken server: imapflow drops the connection instead of buffering it.
    maxLiteralSize: (o.maxMessageBytes ?? IMAP_SOURCE_DEFAULTS.maxMessageBytes) * 2 + 1024 * 1024,
  };
}

/** Connects and logs in; throws ImapSourceError (code "auth" for refused credentials). */
export async function openImapSource(opts: ImapSourceOptions): Promise<ImportSource> {
  const options = clientOptions(opts);
  const where = `${opts.host}:${options.port}`;
  const client = new ImapFlow(options);
  let lastError: unknown = null;
  // imapflow reports socket errors as events too; unheard, they would end the process.
  client.on("error", (e: unknown) => {
    lastError = e;
  });
  try {
    await client.connect();
  } catch (e) {
    client.close();
    const o = e as { authenticationFailed?: boolean };
    if (o?.authenticationFailed)
      throw new ImapSourceError(`${where} refused the login of ${opts.user}: ${reason(e)}`, "auth");
    throw new ImapSourceError(`cannot connect to ${where}: ${reason(e)}`, "connect");
  }
  const lost = (what: string, e: unknown) =>
    new ImapSourceError(
      `connection to ${where} failed while ${what}: ${reason(lastError ?? e)}; what was imported is kept, run the same import again to continue`,
      client.usable ? "protocol" : "lost",
    );
  const maxMessageBytes = opts.maxMessageBytes ?? IMAP_SOURCE_DEFAULTS.maxMessageBytes;
  const groupBytes = opts.groupBytes ?? IMAP_SOURCE_DEFAULTS.groupBytes;
  const windowUids = opts.windowUids ?? IMAP_SOURCE_DEFAULTS.windowUids;

  async function* readFolder(
    path: string,
    name: string,
    after: string | null,
  ): AsyncGenerator<SourceMessage | SourceFailure> {
    let stage = `opening ${name}`;
    let lastUid = after === null ? 0 : Number(after);
    if (!Number.isSafeInteger(lastUid) || lastUid < 0) lastUid = 0;
    // EXAMINE (RFC 3501 6.3.2): read-only, so the old server's \Recent and \Seen stay as they are.
    let box: Awaited<ReturnType<typeof client.mailboxOpen>>;
    try {
      box = await client.mailboxOpen(path, { readOnly: true });
    } catch (e) {
      if (!client.usable) throw lost(stage, e);
      // A NO (the folder was deleted or renamed since LIST, or is not ours to read): the
      // folder is a failure in the summary and the other folders go on.
      yield {
        failed: true,
        label: `folder ${name}`,
        reason: `the server refused to open it: ${reason(e)}`,
        position: String(lastUid),
      };
      return;
    }
    try {
      // Mail arriving during the import gets UIDs at or above this; the next run takes it. A
      // server that names no UIDNEXT (RFC 3501 makes it required) is asked for its last UID.
      let last = Number(box.uidNext) - 1;
      if (!Number.isSafeInteger(last) && box.exists > 0) {
        stage = `reading the last UID of ${name}`;
        const m = await client.fetchOne("*", { uid: true });
        last = m ? m.uid : 0;
      }
      let from = lastUid + 1;
      let span = windowUids;
      while (from <= last && box.exists > 0) {
        const to = Math.min(last, from + span - 1);
        stage = `reading the sizes of UIDs ${from}:${to} in ${name}`;
        const sizes: { uid: number; size: number }[] = [];
        for await (const m of client.fetch(`${from}:${to}`, { uid: true, size: true }, { uid: true })) {
          if (m.uid >= from && m.uid <= to) sizes.push({ uid: m.uid, size: m.size ?? 0 });
        }
        sizes.sort((a, b) => a.uid - b.uid);
        // Sparse UIDs (a mailbox expunged down to a few): widen the window until one is found.
        span = sizes.length === 0 ? Math.min(span * 4, MAX_WINDOW) : windowUids;
        let i = 0;
        while (i < sizes.length) {
          const first = sizes[i]!;
          if (first.size > maxMessageBytes) {
            i++;
            yield {
              failed: true,
              label: `UID ${first.uid}`,
              reason: `${first.size} octets, larger than the ${maxMessageBytes} allowed (not downloaded)`,
              position: String(first.uid),
            };
            continue;
          }
          // A group: consecutive wanted messages up to groupBytes (a larger one alone).
          const group: number[] = [first.uid];
          let bytes = first.size;
          i++;
          while (i < sizes.length && group.length < GROUP_MESSAGES) {
            const next = sizes[i]!;
            if (next.size > maxMessageBytes || bytes + next.size > groupBytes) break;
            group.push(next.uid);
            bytes += next.size;
            i++;
          }
          stage = `fetching UIDs ${group[0]}:${group[group.length - 1]} of ${name}`;
          const got: SourceMessage[] = [];
          for await (const m of client.fetch(
            uidSet(group),
            { uid: true, flags: true, internalDate: true, source: true },
            { uid: true },
          )) {
            if (!m.source || !group.includes(m.uid)) continue;
            got.push({
              body: m.source,
              flags: importedFlags(m.flags),
              internalDate:
                m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? Date.now()),
              uid: m.uid,
              position: String(m.uid),
              label: `UID ${m.uid}`,
            });
          }
          // Yielded in UID order whatever order the server answered in, so a recorded position
          // never skips a message. One expunged meanwhile is simply not there.
          got.sort((a, b) => a.uid! - b.uid!);
          for (const m of got) yield m;
        }
        from = to + 1;
      }
    } catch (e) {
      if (e instanceof ImapSourceError) throw e;
      throw lost(stage, e);
    }
  }

  async function* folders(): AsyncGenerator<SourceFolder> {
    let listed: ListResponse[];
    try {
      listed = await client.list({
        statusQuery: { messages: true, uidNext: true, uidValidity: true, size: true },
      });
    } catch (e) {
      throw lost("listing folders", e);
    }
    const prefix = client.namespace?.prefix ?? "";
    for (const f of listed) {
      const attrs = [...f.flags].map((a) => a.toLowerCase());
      // RFC 3501 6.3.8 \Noselect, RFC 5258 \NonExistent: a name in the hierarchy, no messages.
      if (attrs.includes("\\noselect") || attrs.includes("\\nonexistent")) continue;
      const name = yubinFolderName({ path: f.path, delimiter: f.delimiter }, prefix);
      if (!folderWanted(opts.folders, name)) continue;
      const s = f.status;
      let bytes = s?.size;
      if (bytes === undefined && (s?.messages ?? 1) > 0) bytes = await folderBytes(f.path, name);
      yield {
        name,
        specialUse: yubinSpecialUse(f.specialUse),
        ...(s?.uidValidity !== undefined ? { uidValidity: Number(s.uidValidity) } : {}),
        ...(s?.uidNext !== undefined ? { uidNext: Number(s.uidNext) } : {}),
        subscribed: f.subscribed === true,
        ...(s?.messages !== undefined ? { count: s.messages } : {}),
        ...(bytes !== undefined ? { bytes } : {}),
        messages: (after) => readFolder(f.path, name, after),
      };
    }
  }

  /** Without STATUS=SIZE (RFC 8438) the size for the quota check is the sum of RFC822.SIZE:
   *  a few dozen octets a message, streamed. */
  async function folderBytes(path: string, name: string): Promise<number> {
    try {
      const box = await client.mailboxOpen(path, { readOnly: true });
      if (box.exists === 0) return 0;
      let total = 0;
      for await (const m of client.fetch("1:*", { size: true })) total += m.size ?? 0;
      return total;
    } catch (e) {
      throw lost(`sizing ${name}`, e);
    }
  }

  return {
    id: `imap:${opts.user}@${opts.host.toLowerCase()}`,
    folders,
    async close() {
      if (!client.usable) {
        client.close();
        return;
      }
      await client.logout().catch(() => client.close());
    },
  };
}
