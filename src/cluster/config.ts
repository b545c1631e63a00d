// [cluster] section of the config file: what several nodes (or `serve --workers N` processes)
// share through Redis (issue 17): the change notifier, the rate-limit and login-throttle counters,
// the POP3 maildrop locks. Empty redisUrl: each process keeps them for itself (the embedded default).
import { int, str } from "../config/dsl.js";

export const clusterSection = {
  redisUrl: str(
    "",
    "Redis shared by every node, as redis://[:password@]host:6379[/db] (or set YUBIN_REDIS_URL). Empty: change events, counters and locks stay in this process (one node).",
  ),
  nodeId: str(
    "",
    "This node's name among those sharing redisUrl (it ignores its own change events coming back from Redis). Empty: host name and process id.",
  ),
  keyPrefix: str(
    "yubin:",
    "Prefix of every Redis key and channel this server uses, so several installations can share one Redis.",
  ),
  connectTimeoutMs: int(
    5000,
    "How long the start waits for Redis before it fails naming redisUrl, and each reconnection attempt's limit.",
    { min: 100, max: 600000 },
  ),
  commandTimeoutMs: int(
    2000,
    "How long one Redis command may take; then it fails as temporary (a login answered 'try later', a change event not sent to other nodes).",
    { min: 50, max: 600000 },
  ),
  lockLeaseSec: int(
    30,
    "Lease of a shared lock (the POP3 maildrop lock): renewed every third of it while the session lives, so a node that dies holding one frees it after at most this long.",
    { min: 3, max: 3600 },
  ),
};
