// One SMTP client connection to a remote server, on nodemailer's SMTPConnection (the maintained
// SMTP client of the ecosystem): EHLO, STARTTLS, PIPELINING, SIZE, 8BITMIME, SMTPUTF8, DSN, AUTH.
// This file turns its callbacks and error objects into one promise per transaction with a
// reply per recipient, and adds what it lacks: per-recipient DSN NOTIFY/ORCPT (RFC 3461 4.1-4.2;
// SMTPConnection only takes one set for the whole envelope).
import { X509Certificate } from "node:crypto";
import { Readable } from "node:stream";
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from "node:tls";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { isUsable, type TlsaRecord, verifyChain } from "../dane/tlsa.js";
import { encodeXtext } from "../delivery/xtext.js";
import { LeaseLostError } from "./lease.js";
import { tlsFailureOf } from "./tls-failure.js";
import type { HasTlsFailure, TlsFailureType } from "./tls-outcome.js";

export type ClientTls =
  /** STARTTLS when offered, certificate not checked (RFC 3207 4.1: a public MX has no name to check against). */
  | "opportunistic"
  /** STARTTLS required and the certificate must be valid for `hostname` (MTA-STS, requireTls). */
  | "verify"
  /** TLS from the first byte, verified (a relay host on port 465, RFC 8314). */
  | "implicit"
  /** STARTTLS required, the certificate checked against `tlsa` (RFC 7672), not against CAs. */
  | "dane"
  | "none";

export interface ClientOptions {
  address: string;
  port: number;
  /** The server's host name: TLS SNI and the name its certificate must carry. */
  hostname: string;
  heloName: string;
  localAddress?: string;
  tls: ClientTls;
  ca?: string[];
  /** The host's secure TLSA records, for tls "dane"; none usable = encrypted, not authenticated. */
  tlsa?: TlsaRecord[];
  auth?: { user: string; pass: string };
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
}

export interface OutboundRecipient {
  address: string;
  notify: string[] | null;
  orcpt: string | null;
}

export interface Envelope {
  from: string; // "" = null sender
  recipients: OutboundRecipient[];
  envId: string | null;
  ret: "FULL" | "HDRS" | null;
  size: number;
  eightBit: boolean;
}

export interface RecipientReply {
  address: string;
  /** SMTP reply code (250 when accepted). */
  code: number;
  reply: string;
}

export interface TransactionResult {
  accepted: RecipientReply[];
  rejected: RecipientReply[];
}

/** A failure of the whole connection or transaction (every recipient in it shares the outcome). */
export class SmtpFailure extends Error implements HasTlsFailure {
  override name = "SmtpFailure";
  /** The RFC 8460 4.3 result type when the failure was about TLS (tls-failure.ts), for TLS-RPT. */
  tlsFailure?: TlsFailureType;
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly code: number | null,
    /** What the server said, or a description of the network/TLS error. */
    readonly reply: string,
  ) {
    super(message);
  }
}

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  recipient?: string;
  command?: string;
  rejectedErrors?: NodemailerError[];
}

// SMTPConnection's private state used below. Checked at run time; a test covers it.
interface ConnectionInternals {
  _recipientQueue?: unknown;
  _supportedExtensions?: unknown;
  _socket?: { localAddress?: string };
}

/** SMTPConnection with NOTIFY/ORCPT per recipient instead of one set for the envelope. */
class DsnConnection extends SMTPConnection {
  rcptArgs = new Map<string, string>();

  // Overrides SMTPConnection's private helper, called right after the recipient is pushed on
  // _recipientQueue, to build the RCPT TO parameters.
  _getDsnRcptToArgs(): string {
    const self = this as unknown as ConnectionInternals;
    const queue = self._recipientQueue;
    const ext = self._supportedExtensions;
    if (!Array.isArray(queue) || !Array.isArray(ext) || !ext.includes("DSN")) return "";
    const rcpt = queue[queue.length - 1];
    return typeof rcpt === "string" ? (this.rcptArgs.get(rcpt) ?? "") : "";
  }
}

export class SmtpClient {
  private broken = false;
  messages = 0;
  private constructor(
    private readonly conn: DsnConnection,
    readonly options: ClientOptions,
  ) {
    conn.on("error", () => {
      this.broken = true;
    });
    conn.on("end", () => {
      this.broken = true;
    });
  }

  static open(opts: ClientOptions): Promise<SmtpClient> {
    const verify = opts.tls === "verify" || opts.tls === "implicit";
    const conn = new DsnConnection({
      host: opts.address,
      port: opts.port,
      name: opts.heloName,
      localAddress: opts.localAddress || undefined,
      servername: opts.hostname,
      secure: opts.tls === "implicit",
      requireTLS: opts.tls === "verify" || opts.tls === "dane",
      ignoreTLS: opts.tls === "none",
      // A server that offers STARTTLS and then refuses it still gets the mail in clear text,
      // as it would from a client that never tried (RFC 3207 4.1).
      opportunisticTLS: opts.tls === "opportunistic",
      tls: {
        servername: opts.hostname,
        rejectUnauthorized: verify,
        ca: verify ? opts.ca : undefined,
        minVersion: "TLSv1.2",
      },
      connectionTimeout: opts.connectTimeoutMs,
      greetingTimeout: opts.greetingTimeoutMs,
      socketTimeout: opts.socketTimeoutMs,
      socketCloseTimeout: 1000,
      logger: false,
    });
    return new Promise<SmtpClient>((resolve, reject) => {
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        conn.close();
        reject(
          e instanceof SmtpFailure
            ? e
            : opts.tls === "dane"
              ? daneTlsFailure(e, opts)
              : toFailure(e, "connect"),
        );
      };
      conn.once("error", fail);
      conn.connect((err) => {
        if (err) return fail(err);
        // DANE: the certificate is judged here, after the TLS EHLO and before anything about
        // the message is sent (RFC 7672 3: an unauthenticated server gets no mail).
        if (opts.tls === "dane") {
          const refused = daneCheck(conn, opts);
          if (refused) return fail(refused);
        }
        if (!opts.auth) return done();
        conn.login({ user: opts.auth.user, pass: opts.auth.pass }, (e) => (e ? fail(e) : done()));
      });
      const done = () => {
        if (settled) return;
        settled = true;
        conn.removeListener("error", fail);
        resolve(new SmtpClient(conn, opts));
      };
    });
  }

  /** True when the session is encrypted. */
  get secure(): boolean {
    return this.conn.secure;
  }

  /** Our end's address (TLS-RPT sending-mta-ip), "" when unknown. */
  get localAddress(): string {
    return (this.conn as unknown as ConnectionInternals)._socket?.localAddress ?? "";
  }

  /** Whether the server offers DSN (RFC 3461), so NOTIFY travels on and it reports success itself. */
  get supportsDsn(): boolean {
    const ext = (this.conn as unknown as ConnectionInternals)._supportedExtensions;
    return Array.isArray(ext) && ext.includes("DSN");
  }

  /** Whether another transaction may be sent on this connection. */
  get usable(): boolean {
    return !this.broken && !this.conn.destroyed;
  }

  /** One transaction for every recipient. Throws SmtpFailure when the whole of it failed.
   *  `beforeEnd` is asked once the body is written, before the end of DATA (the point of no
   *  return): false drops the connection without the final "." (a transaction cut off in DATA
   *  is discarded, RFC 5321 3.3 and 4.1.1.4) and throws LeaseLostError. */
  send(env: Envelope, body: Buffer, beforeEnd?: () => Promise<boolean>): Promise<TransactionResult> {
    const rcptArgs = new Map<string, string>();
    for (const r of env.recipients) {
      const args: string[] = [];
      if (r.notify && r.notify.length > 0) args.push(`NOTIFY=${r.notify.join(",")}`);
      if (r.orcpt) args.push(`ORCPT=${encodeOrcpt(r.orcpt)}`);
      rcptArgs.set(r.address, args.length > 0 ? ` ${args.join(" ")}` : "");
    }
    this.conn.rcptArgs = rcptArgs;
    this.messages++;
    const addresses = env.recipients.map((r) => r.address);
    return new Promise<TransactionResult>((resolveSend, rejectSend) => {
      // Once: a dropped transaction's callback may come later (or, after close(), never).
      let done = false;
      const resolve = (r: TransactionResult) => {
        if (!done) resolveSend(r);
        done = true;
      };
      const reject = (e: Error) => {
        if (!done) rejectSend(e);
        done = true;
      };
      const message = beforeEnd
        ? endGuarded(body, async () => {
            if (await beforeEnd().catch(() => false)) return true;
            this.broken = true;
            reject(new LeaseLostError("lease not confirmed before the end of DATA: transaction dropped"));
            // Detaches and destroys the message stream and closes the socket: no "." is sent.
            this.conn.close();
            return false;
          })
        : body;
      this.conn.send(
        {
          from: env.from === "" ? false : env.from,
          to: addresses,
          size: env.size,
          use8BitMime: env.eightBit,
          dsn: env.envId || env.ret ? { envid: env.envId, ret: env.ret } : undefined,
        },
        message,
        (err, info) => {
          if (err || !info) {
            const e = err as NodemailerError | null;
            // Every recipient refused: report each one's own reply.
            if (
              e?.code === "EENVELOPE" &&
              e.rejectedErrors &&
              e.rejectedErrors.length > 0 &&
              e.command === "RCPT TO"
            ) {
              this.broken = true;
              resolve({ accepted: [], rejected: rejectedReplies(addresses, e.rejectedErrors) });
              return;
            }
            this.broken = true;
            reject(toFailure(err, "send"));
            return;
          }
          const reply = info.response;
          const code = replyCode(reply) ?? 250;
          const rejectedSet = new Set(info.rejected);
          resolve({
            accepted: addresses
              .filter((a) => !rejectedSet.has(a))
              .map((address) => ({ address, code, reply })),
            rejected: rejectedReplies(info.rejected, (info.rejectedErrors ?? []) as NodemailerError[]),
          });
        },
      );
    });
  }

  close(): void {
    this.broken = true;
    try {
      this.conn.quit();
    } catch {
      this.conn.close();
    }
    // quit() waits for the 221; make sure the socket goes even if it never comes.
    setTimeout(() => this.conn.close(), 1000).unref();
  }
}

/** The body as a stream that ends (so the SMTP connection sends the final ".") only once
 *  `check` said yes, asked when the whole body was taken (the next read after it). */
function endGuarded(body: Buffer, check: () => Promise<boolean>): Readable {
  let step = body.length > 0 ? 0 : 1;
  return new Readable({
    read() {
      if (step === 0) {
        step = 1;
        this.push(body);
        return;
      }
      if (step !== 1) return;
      step = 2;
      void check().then(
        (ok) => {
          if (ok && !this.destroyed) this.push(null);
        },
        (e: unknown) => this.destroy(e instanceof Error ? e : new Error(String(e))),
      );
    },
  });
}

/** RFC 7672 3.1-3.2: the chain the server sent against the TLSA records (when any is usable;
 *  none usable still requires TLS, 2.2). Null when the server passes. */
function daneCheck(conn: SMTPConnection, opts: ClientOptions): SmtpFailure | null {
  const socket = (conn as unknown as { _socket?: TLSSocket })._socket;
  if (!conn.secure || !socket || typeof socket.getPeerX509Certificate !== "function")
    return daneFailure(opts, "the session is not encrypted", "starttls-not-supported");
  const records = opts.tlsa ?? [];
  if (!records.some(isUsable)) return null;
  const chain: X509Certificate[] = [];
  // getPeerCertificate(true) links each certificate to its issuer, as the server sent them.
  let c: PeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<PeerCertificate>();
  while (c?.raw && !seen.has(c) && chain.length < 10) {
    seen.add(c);
    chain.push(new X509Certificate(c.raw));
    c = (c as DetailedPeerCertificate).issuerCertificate;
  }
  const verdict = verifyChain(chain, records, { hostname: opts.hostname });
  return verdict.ok ? null : daneFailure(opts, verdict.reason, verdict.failure);
}

/** A DANE refusal: temporary (the mail waits, RFC 7672 2.2), 4.7.5, saying why. */
function daneFailure(opts: ClientOptions, why: string, tlsFailure: TlsFailureType): SmtpFailure {
  const reply = `DANE: ${opts.hostname} [${opts.address}] refused: ${why}`;
  const failure = new SmtpFailure(reply, false, null, reply);
  failure.tlsFailure = tlsFailure;
  return failure;
}

/** A connection failure under DANE: STARTTLS refused or failed is a DANE failure (no clear
 *  text fallback); other network errors stay what they are. */
function daneTlsFailure(e: unknown, opts: ClientOptions): SmtpFailure {
  const err = (e ?? {}) as NodemailerError;
  if (err.code !== "ETLS" && err.command !== "STARTTLS") return toFailure(e, "connect");
  const said = err.response ? `: ${err.response.trim()}` : `: ${err.message}`;
  const starttls = err.response !== undefined && err.response !== "";
  return daneFailure(
    opts,
    starttls ? `STARTTLS is required (TLSA published) but failed${said}` : `TLS handshake failed${said}`,
    starttls ? "starttls-not-supported" : "validation-failure",
  );
}

/** ORCPT is "addr-type;address"; only the address part is xtext (RFC 3461 4.2). */
function encodeOrcpt(orcpt: string): string {
  const i = orcpt.indexOf(";");
  if (i < 0) return `rfc822;${encodeXtext(orcpt)}`;
  return `${orcpt.slice(0, i)};${encodeXtext(orcpt.slice(i + 1))}`;
}

function rejectedReplies(addresses: string[], errors: NodemailerError[]): RecipientReply[] {
  return addresses.map((address) => {
    const e = errors.find((x) => x.recipient === address);
    const reply = e?.response ?? "550 rejected";
    return { address, code: e?.responseCode ?? replyCode(reply) ?? 550, reply };
  });
}

function replyCode(reply: string | undefined): number | null {
  const m = /^([2-5]\d\d)/.exec(reply ?? "");
  return m?.[1] ? Number(m[1]) : null;
}

/** Network, TLS and protocol errors are temporary; a 5xx reply is permanent (RFC 5321 4.2.1). */
export function toFailure(err: unknown, stage: string): SmtpFailure {
  const e = (err ?? {}) as NodemailerError;
  const code = e.responseCode ?? replyCode(e.response) ?? null;
  const reply = e.response ?? `${e.code ?? "error"}: ${e.message ?? String(err)}`;
  const permanent = code !== null && code >= 500 && code < 600;
  const failure = new SmtpFailure(`${stage}: ${e.message ?? String(err)}`, permanent, code, reply.trim());
  const tls = tlsFailureOf(err);
  if (tls) failure.tlsFailure = tls;
  return failure;
}
