// Two-factor login for the web pages and the webmail (issue 15): TOTP (RFC 6238), one-time
// recovery codes and passkeys. This is what the pages call; the store keeps the state
// (SecondFactorStore). Invariants:
//  - An account "has 2FA" once a TOTP enrolment was confirmed with a right code, or it has a
//    passkey. From then on the account password alone opens no protocol (service.ts refuses it
//    and says app passwords are needed) and the web login asks for a second step.
//  - TOTP secrets are sealed at rest (key.ts); recovery codes are stored as keyed hashes.
//  - Each TOTP code is used once: the store keeps the last accepted step and accepts only later
//    ones, atomically (two browsers racing with one code: one wins).
//  - Recovery codes: ten, each used once; making new ones voids the old.
import type { SecondFactorStore } from "../../store/types.js";
import { loadSecondFactorKey, type SecondFactorKey } from "./key.js";
import { newRecoveryCodes, normalizeRecoveryCode } from "./recovery.js";
import { newTotpSecret, totpStep, totpUri } from "./totp.js";

export interface SecondFactorsDeps {
  store: SecondFactorStore;
  dataDir: string;
  now?: () => number;
}

export interface TwoFactorStatus {
  totp: boolean;
  recoveryCodes: { unused: number; total: number };
  passkeys: Awaited<ReturnType<SecondFactorStore["credentials"]>>;
}

export type CodeKind = "totp" | "recovery";

export class SecondFactors {
  readonly store: SecondFactorStore;
  private readonly dataDir: string;
  private readonly now: () => number;
  private key: Promise<SecondFactorKey> | null = null;

  constructor(deps: SecondFactorsDeps) {
    this.store = deps.store;
    this.dataDir = deps.dataDir;
    this.now = deps.now ?? Date.now;
  }

  /** The data directory's key, read (or made) on first use. */
  keys(): Promise<SecondFactorKey> {
    this.key ??= loadSecondFactorKey(this.dataDir).catch((e) => {
      this.key = null;
      throw e;
    });
    return this.key;
  }

  /** True once the account has a confirmed TOTP or a passkey. */
  async enabled(accountId: number): Promise<boolean> {
    const [t, creds] = await Promise.all([this.store.totp(accountId), this.store.credentials(accountId)]);
    return t?.confirmed === true || creds.length > 0;
  }

  async status(accountId: number): Promise<TwoFactorStatus> {
    const [t, recoveryCodes, passkeys] = await Promise.all([
      this.store.totp(accountId),
      this.store.recoveryCodeCount(accountId),
      this.store.credentials(accountId),
    ]);
    return { totp: t?.confirmed === true, recoveryCodes, passkeys };
  }

  /** A fresh secret, sealed, and the otpauth:// URI to show as a QR code. Nothing is stored:
   *  the caller keeps the sealed secret (in the page's signed cookie or form) until confirmed. */
  async newTotp(o: {
    accountId: number;
    address: string;
    issuer: string;
  }): Promise<{ secret: string; sealed: string; uri: string }> {
    const secret = newTotpSecret();
    const key = await this.keys();
    // Sealed with the account id, so a sealed secret cannot be carried to another account.
    const sealed = key.seal(`${o.accountId}:${secret}`);
    return { secret, sealed, uri: totpUri({ secret, account: o.address, issuer: o.issuer }) };
  }

  /** The secret and URI of a sealed secret being enrolled (to show its QR code again). */
  async reopenTotp(
    account: { id: number; address: string },
    sealed: string,
  ): Promise<{ secret: string; uri: string } | null> {
    const secret = await this.openSecret(account.id, sealed);
    return secret === null
      ? null
      : { secret, uri: totpUri({ secret, account: account.address, issuer: "Yubin" }) };
  }

  private async openSecret(accountId: number, sealed: string): Promise<string | null> {
    const plain = (await this.keys()).open(sealed);
    const prefix = `${accountId}:`;
    return plain?.startsWith(prefix) ? plain.slice(prefix.length) : null;
  }

  /** Finishes an enrolment: if `code` is right for the sealed secret, stores it (replacing any
   *  earlier TOTP) and, when the account had no recovery codes left, makes ten; returns them
   *  (shown once), [] when the old ones stay, or null for a wrong code. */
  async confirmTotp(accountId: number, sealed: string, code: string): Promise<string[] | null> {
    const secret = await this.openSecret(accountId, sealed);
    if (secret === null) return null;
    const step = totpStep(secret, code, this.now());
    if (step === null) return null;
    await this.store.beginTotp(accountId, { sealedSecret: sealed, at: new Date(this.now()) });
    await this.store.confirmTotp(accountId, step);
    const codes = await this.store.recoveryCodeCount(accountId);
    return codes.unused > 0 ? [] : this.newRecoveryCodes(accountId);
  }

  /** Ten new recovery codes (the old ones stop working), to show once. */
  async newRecoveryCodes(accountId: number): Promise<string[]> {
    const key = await this.keys();
    const codes = newRecoveryCodes();
    const hashes = codes.map((c) => key.recoveryHash(normalizeRecoveryCode(c) ?? c));
    await this.store.setRecoveryCodes(accountId, hashes, new Date(this.now()));
    return codes;
  }

  /** Checks a TOTP code or a recovery code and spends it; which kind it was, or null. */
  async useCode(accountId: number, input: string): Promise<CodeKind | null> {
    const code = input.trim().slice(0, 64);
    const key = await this.keys();
    const recovery = normalizeRecoveryCode(code);
    if (recovery !== null) {
      const ok = await this.store.useRecoveryCode(
        accountId,
        key.recoveryHash(recovery),
        new Date(this.now()),
      );
      return ok ? "recovery" : null;
    }
    const t = await this.store.totp(accountId);
    if (!t?.confirmed) return null;
    const secret = await this.openSecret(accountId, t.sealedSecret);
    if (secret === null) return null;
    const step = totpStep(secret, code, this.now());
    if (step === null) return null;
    return (await this.store.useTotpStep(accountId, step)) ? "totp" : null;
  }

  /** Turns two-factor login off: TOTP, recovery codes and passkeys go. */
  async disable(accountId: number): Promise<void> {
    await this.store.clear(accountId);
  }
}
