// POP3 session states (RFC 1939 §3). UPDATE is not a resting state: QUIT in TRANSACTION
// commits the deletions and the session ends, so it has no variant here.

import type { LoginCheck } from "../auth/login-recheck.js";
import type { LockHandle } from "../store/locks.js";
import type { Account } from "../store/types.js";
import type { Maildrop } from "./maildrop.js";

export interface AuthorizationState {
  kind: "authorization";
  user: string | null; // name given by USER, waiting for PASS
}

export interface TransactionState {
  kind: "transaction";
  account: Account;
  /** The login, re-checked against the account row before commands (auth/login-recheck.ts). */
  login: LoginCheck;
  maildrop: Maildrop;
  /** The maildrop lock (RFC 1939 §8), from ctx.locks: shared between nodes when they are. */
  lock: LockHandle;
}

export type SessionState = AuthorizationState | TransactionState;
export type StateKind = SessionState["kind"];
