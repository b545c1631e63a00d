// The renewal loop: at start and every [acme] checkIntervalMin, compare the issued certificate
// with what is wanted (the names of names.ts, renewal due at renewAtPercent of its lifetime) and
// order a new one when needed; write it (files.ts) and hot-reload the TLS provider, so every
// listener's new handshakes get it and running sessions keep theirs. Failures back off
// exponentially (retryMinSec doubling to retryMaxSec, longer if the CA says Retry-After) and are
// logged and kept for the admin page. One order at a time.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFile, unlink } from "node:fs/promises";
import type { Config } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import { type AlpnSink, ChallengeResponder } from "./challenges.js";
import { LETSENCRYPT_STAGING } from "./config.js";
import { usableChallenges } from "./enabled.js";
import { AcmeError, otherError } from "./errors.js";
import {
  type AcmePaths,
  acmePaths,
  EMPTY_STATE,
  ensureDir,
  extraCertPaths,
  groupCertPath,
  loadState,
  type PersistedState,
  readIfExists,
  saveState,
  writeAtomic,
} from "./files.js";
import { newKey, type OrderRequest, type OrderResult, orderCertificate, setAcmeTrust } from "./issue.js";
import { certificateNames, sameNames, splitNames } from "./names.js";
import { daysLeft, renewalDue, retryDelayMs } from "./timing.js";
import type { AcmeService, AcmeStatus, IssuedCertificate } from "./types.js";

export interface AcmeManagerDeps {
  config: Config;
  /** The TLS provider: reloaded after each new certificate; serves TLS-ALPN-01 answers. */
  tls: AlpnSink & { reload(): void };
  /** The domains of the store, whose autoconfig and mta-sts names the certificate covers. */
  domains: () => Promise<string[]>;
  log: Logger;
  now?: () => Date;
  /** The order itself (tests give a fake); default orderCertificate through acme-client. */
  order?: (req: OrderRequest) => Promise<OrderResult>;
}

export class AcmeManager implements AcmeService {
  private readonly cfg: Config["acme"];
  private readonly paths: AcmePaths;
  private readonly responder: ChallengeResponder;
  private readonly now: () => Date;
  private state: PersistedState = { ...EMPTY_STATE, accounts: {} };
  private names: string[] = [];
  /** The issued certificate of each group of names (splitNames), null where none is yet. */
  private certs: (IssuedCertificate | null)[] = [];
  private groups: string[][] = [];
  private ordering = false;
  private nextCheck: Date | null = null;
  private warning: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly deps: AcmeManagerDeps) {
    this.cfg = deps.config.acme;
    this.paths = acmePaths(deps.config.server.dataDir);
    this.responder = new ChallengeResponder(deps.tls);
    this.now = deps.now ?? (() => new Date());
  }

  /** Load what the data directory holds, then check at once and every checkIntervalMin. */
  async start(): Promise<void> {
    let caError: string | null = null;
    try {
      setAcmeTrust(this.cfg.caFile ? await readFile(this.cfg.caFile, "utf8") : null);
    } catch (e) {
      // Still started: the page and the log say why every order fails.
      caError = `[acme] caFile ${this.cfg.caFile} cannot be read (${(e as Error).message})`;
      this.deps.log.error("acme caFile unreadable", { error: caError });
    }
    await ensureDir(this.paths);
    this.state = await loadState(this.paths);
    if (caError) this.state.lastError = { at: this.now().toISOString(), kind: "config", message: caError };
    this.certs = [await this.readIssued(this.paths.cert)];
    for (const path of extraCertPaths(this.paths)) this.certs.push(await this.readIssued(path));
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  httpAnswer(token: string): string | null {
    return this.responder.httpAnswer(token);
  }

  async renew(opts: { force?: boolean } = {}): Promise<AcmeStatus> {
    await this.running?.catch(() => {});
    await this.run(opts.force ?? false);
    return this.status();
  }

  servesTrustedCertificate(): boolean {
    return this.cert !== null && this.cfg.directoryUrl !== LETSENCRYPT_STAGING;
  }

  /** The main certificate (the one with the server's host name). */
  private get cert(): IssuedCertificate | null {
    return this.certs[0] ?? null;
  }

  status(): AcmeStatus {
    const failing = this.state.failures > 0;
    const all = this.certs.filter((c): c is IssuedCertificate => c !== null);
    const soonest = all.reduce<IssuedCertificate | null>(
      (a, c) =>
        a && renewalDue(a, this.cfg.renewAtPercent) <= renewalDue(c, this.cfg.renewAtPercent) ? a : c,
      null,
    );
    return {
      directoryUrl: this.cfg.directoryUrl,
      names: [...this.names],
      challenges: usableChallenges(this.deps.config),
      state: this.ordering ? "ordering" : failing ? "failing" : this.cert ? "valid" : "waiting",
      certificate: this.cert,
      certificates: all,
      lastRenewal: this.state.lastRenewal ? new Date(this.state.lastRenewal) : null,
      lastError: this.state.lastError
        ? { ...this.state.lastError, at: new Date(this.state.lastError.at) }
        : null,
      failures: this.state.failures,
      renewalDue: soonest ? renewalDue(soonest, this.cfg.renewAtPercent) : null,
      nextCheck: this.nextCheck,
      warning: this.warning,
      keyPath: this.paths.certKey,
    };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextCheck = new Date(this.now().getTime() + delayMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run(false).catch((e) => this.deps.log.error("acme check failed", { err: e as Error }));
    }, delayMs);
    this.timer.unref();
  }

  /** One check (and order when due); never two at once. */
  private run(force: boolean): Promise<void> {
    if (this.running) return this.running;
    this.running = this.check(force).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async check(force: boolean): Promise<void> {
    const now = this.now();
    const all = certificateNames({
      hostname: this.deps.config.server.hostname,
      autoconfigHostname: this.deps.config.autoconfig.hostname,
      domains: await this.deps.domains(),
      extraNames: this.cfg.extraNames,
    });
    // One certificate for all the names, or several past the CA's limit of names per
    // certificate (the server's own name in the first, which the mail ports serve).
    this.names = all;
    this.groups = splitNames(all);
    const due = this.groups
      .map((names, index) => ({
        index,
        names,
        reason: this.dueReason(this.certs[index] ?? null, names, now, force),
      }))
      .filter((g): g is { index: number; names: string[]; reason: string } => g.reason !== null);
    const stale = this.certs.length > this.groups.length;
    const backingOff =
      !force &&
      this.state.failures > 0 &&
      this.state.nextAttempt !== null &&
      now < new Date(this.state.nextAttempt);
    if ((due.length > 0 || stale) && !backingOff) await this.order(due);
    this.warning = this.expiryWarning(this.now());
    if (this.warning) this.deps.log.warn("acme certificate warning", { warning: this.warning });
    const interval = this.cfg.checkIntervalMin * 60_000;
    const retryAt =
      this.state.failures > 0 && this.state.nextAttempt ? new Date(this.state.nextAttempt) : null;
    const untilRetry = retryAt ? Math.max(retryAt.getTime() - this.now().getTime(), 1000) : interval;
    this.schedule(Math.min(interval, untilRetry));
  }

  /** Why a new certificate is needed now for `names` (held by `cert`), or null. */
  private dueReason(
    cert: IssuedCertificate | null,
    names: string[],
    now: Date,
    force: boolean,
  ): string | null {
    if (force) return "renewal asked for";
    if (!cert) return "no certificate yet";
    if (!sameNames(cert.names, names)) return "the names changed";
    if (now >= renewalDue(cert, this.cfg.renewAtPercent)) return "renewal due";
    return null;
  }

  private expiryWarning(now: Date): string | null {
    const parts: string[] = [];
    for (const cert of this.certs) {
      if (!cert) continue;
      const left = daysLeft(cert.notAfter, now);
      const which =
        this.certs.length > 1 ? `the certificate for ${cert.names[0]} and others` : "the certificate";
      if (left < 0) parts.push(`${which} expired on ${cert.notAfter.toISOString()}`);
      else if (left <= this.cfg.warnDays)
        parts.push(`${which} expires in ${left} days and has not been renewed`);
    }
    if (parts.length === 0) return null;
    const error = this.state.lastError ? ` — last error: ${this.state.lastError.message}` : "";
    return `${parts.join("; ")}${error}`;
  }

  /** Order the due groups' certificates, one after the other, and drop the files of groups that
   *  no longer exist (domains removed). */
  private async order(due: { index: number; names: string[]; reason: string }[]): Promise<void> {
    const log = this.deps.log.child({ acme: this.cfg.directoryUrl });
    this.ordering = true;
    let written = false;
    try {
      const accountKey = await this.key(this.paths.accountKey, "ecdsa", true);
      const certKey = await this.key(this.paths.certKey, this.cfg.keyType, this.cfg.reuseKey);
      // A new key must be in every certificate, since they share the key file.
      const todo = certKey.fresh
        ? this.groups.map((names, index) => ({ index, names, reason: due[0]?.reason ?? "new key" }))
        : due;
      const order = this.deps.order ?? orderCertificate;
      for (const g of todo) {
        log.info("acme ordering a certificate", { reason: g.reason, names: g.names.join(" ") });
        const { chain, accountUrl } = await withTimeout(
          order({
            directoryUrl: this.cfg.directoryUrl,
            email: this.cfg.email,
            accountKey: accountKey.pem,
            // A new account key has no account yet.
            accountUrl: accountKey.fresh ? undefined : this.state.accounts[this.cfg.directoryUrl],
            onAccount: (url) => {
              this.state.accounts = { ...this.state.accounts, [this.cfg.directoryUrl]: url };
            },
            certKey: certKey.pem,
            names: g.names,
            challenges: usableChallenges(this.deps.config),
            responder: this.responder,
            log,
          }),
          this.cfg.orderTimeoutSec * 1000,
        );
        this.state.accounts = { ...this.state.accounts, [this.cfg.directoryUrl]: accountUrl };
        const issued = describe(chain);
        // Key first, then the chain: the TLS provider reads them as a pair once the chain is there.
        if (certKey.fresh && !written) await writeAtomic(this.paths.certKey, certKey.pem);
        await writeAtomic(groupCertPath(this.paths, g.index), chain);
        written = true;
        this.certs[g.index] = issued;
        log.info("acme certificate installed", {
          serial: issued.serial,
          notAfter: issued.notAfter.toISOString(),
          names: issued.names.length,
        });
      }
      for (let i = this.groups.length; i < this.certs.length; i++)
        await unlink(groupCertPath(this.paths, i)).catch(() => {});
      if (this.certs.length > this.groups.length) {
        this.certs.length = this.groups.length;
        written = true;
      }
      this.state = {
        lastRenewal: todo.length > 0 ? this.now().toISOString() : this.state.lastRenewal,
        lastError: null,
        failures: 0,
        nextAttempt: null,
        accounts: this.state.accounts,
      };
    } catch (e) {
      const err = e instanceof AcmeError ? e : otherError(e, this.cfg.directoryUrl);
      const failures = this.state.failures + 1;
      const wait = retryDelayMs({
        failures,
        minSec: this.cfg.retryMinSec,
        maxSec: this.cfg.retryMaxSec,
        retryAfterSec: err.retryAfterSec,
      });
      this.state = {
        ...this.state,
        failures,
        lastError: { at: this.now().toISOString(), kind: err.kind, message: err.message },
        nextAttempt: new Date(this.now().getTime() + wait).toISOString(),
      };
      log.warn("acme order failed", {
        kind: err.kind,
        error: err.message,
        failures,
        retryInSec: wait / 1000,
      });
    } finally {
      this.ordering = false;
      // Whatever was written (all, or the groups before a failure) is served from now on.
      if (written) {
        try {
          this.deps.tls.reload();
        } catch (e) {
          log.error("acme certificate not loaded; the previous one stays", { err: e as Error });
        }
      }
      await saveState(this.paths, this.state).catch((e) =>
        log.error("acme state not saved", { err: e as Error }),
      );
    }
  }

  /** The key at `path` when it may be kept and is of `type`, else a new one (not yet written:
   *  the certificate key is written with its certificate). The account key is written at once. */
  private async key(
    path: string,
    type: "ecdsa" | "rsa",
    reuse: boolean,
  ): Promise<{ pem: string; fresh: boolean }> {
    const old = reuse ? await readIfExists(path) : null;
    if (old) {
      const kind = createPrivateKey(old).asymmetricKeyType;
      if ((type === "ecdsa" && kind === "ec") || (type === "rsa" && kind === "rsa"))
        return { pem: old, fresh: false };
    }
    const pem = await newKey(type);
    if (path === this.paths.accountKey) await writeAtomic(path, pem);
    return { pem, fresh: true };
  }

  private async readIssued(path: string): Promise<IssuedCertificate | null> {
    const pem = await readIfExists(path);
    if (!pem) return null;
    try {
      return describe(pem);
    } catch (e) {
      this.deps.log.warn("acme certificate unreadable; a new one will be ordered", { err: e as Error });
      return null;
    }
  }
}

/** The first certificate of a PEM chain, described. */
export function describe(chain: string): IssuedCertificate {
  const first = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(chain)?.[0];
  if (!first) throw new AcmeError("badCertificate", "the CA sent no certificate");
  const c = new X509Certificate(first);
  return {
    serial: c.serialNumber,
    issuer: c.issuer.replace(/\n/g, ", "),
    names: (c.subjectAltName ?? "")
      .split(/,\s*/)
      .filter((n) => n.startsWith("DNS:"))
      .map((n) => n.slice(4).toLowerCase()),
    notBefore: new Date(c.validFrom),
    notAfter: new Date(c.validTo),
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AcmeError("timeout", `the order took longer than ${ms / 1000} s ([acme] orderTimeoutSec)`),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
