// The session's state as a union (RFC 5804 §1: non-authenticated, then authenticated).
import type { LoginCheck } from "../auth/login-recheck.js";
import type { Account } from "../store/types.js";

export interface NonAuthState {
  kind: "nonauth";
}

export interface AuthState {
  kind: "auth";
  account: Account;
  /** The login, re-checked against the account row before commands (auth/login-recheck.ts). */
  login: LoginCheck;
}

export type SessionState = NonAuthState | AuthState;
export type StateKind = SessionState["kind"];
