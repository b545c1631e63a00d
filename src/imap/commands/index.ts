// The command table: each command's handler and the states it is allowed in (RFC 9051 6).
import type { CommandName } from "../wire/command.js";
import { append } from "./append.js";
import { authenticate } from "./authenticate.js";
import { capability } from "./capability.js";
import { close, unselect } from "./close.js";
import { compress } from "./compress.js";
import { copy } from "./copy.js";
import { create } from "./create.js";
import { del } from "./delete.js";
import { enable } from "./enable.js";
import { expunge } from "./expunge.js";
import { fetch } from "./fetch.js";
import { id } from "./id.js";
import { idle } from "./idle.js";
import { list } from "./list.js";
import { login } from "./login.js";
import { logout } from "./logout.js";
import { namespace } from "./namespace.js";
import { check, noop } from "./noop.js";
import { getQuota, getQuotaRoot } from "./quota.js";
import { rename } from "./rename.js";
import { search } from "./search.js";
import { select } from "./select.js";
import { sort } from "./sort.js";
import { starttls } from "./starttls.js";
import { status } from "./status.js";
import { store } from "./store.js";
import { subscribe } from "./subscribe.js";
import { thread } from "./thread.js";
import type { CommandSpec } from "./types.js";

type Table = { [N in CommandName]?: CommandSpec<N> };

export const commandTable: Table = {
  CAPABILITY: capability,
  NOOP: noop,
  LOGOUT: logout,
  STARTTLS: starttls,
  LOGIN: login,
  AUTHENTICATE: authenticate,
  ID: id,
  ENABLE: enable,
  NAMESPACE: namespace,
  SELECT: select,
  EXAMINE: select,
  CREATE: create,
  DELETE: del,
  RENAME: rename,
  SUBSCRIBE: subscribe,
  UNSUBSCRIBE: subscribe,
  LIST: list,
  LSUB: list,
  STATUS: status,
  APPEND: append,
  CHECK: check,
  CLOSE: close,
  UNSELECT: unselect,
  EXPUNGE: expunge,
  SEARCH: search,
  SORT: sort,
  THREAD: thread,
  FETCH: fetch,
  STORE: store,
  COPY: copy,
  MOVE: copy,
  IDLE: idle,
  GETQUOTAROOT: getQuotaRoot,
  GETQUOTA: getQuota,
  COMPRESS: compress,
};
