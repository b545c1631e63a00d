// UploadStore on Redis (issue 17): a JMAP upload through one node (or worker) is found by the
// Email/import or draft on another. Per account: one hash of pending uploads (blob id → "size
// expiry"), checked against the quota by one Lua script so two nodes cannot both fit in the same
// room, and one hash per upload with its bytes and type. Expiry is judged by the caller's clock,
// as in RedisCounters; Redis's own expiry (the ttl plus a minute) collects what is left.
import type { Redis } from "ioredis";
import type { UploadLimits, UploadResult, UploadStore } from "../store/uploads.js";
import { uploadBlobId } from "../store/uploads.js";
import { redisCall } from "./redis.js";

const SKEW_MS = 60_000;

// KEYS[1] the account's index. ARGV: now, size, quota, blob id, expiry, index ttl.
const RESERVE = `
local now = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local used = 0
for i = 1, #all, 2 do
  local s, e = string.match(all[i + 1], '^(%d+) (%d+)$')
  if e == nil or tonumber(e) <= now then
    redis.call('HDEL', KEYS[1], all[i])
  elseif all[i] ~= ARGV[4] then
    used = used + tonumber(s)
  end
end
if used + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[4], ARGV[2] .. ' ' .. ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
`;

export class RedisUploads implements UploadStore {
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: { keyPrefix: string; limits: UploadLimits; now?: () => number },
  ) {
    this.now = opts.now ?? Date.now;
  }

  async put(accountId: number, data: Buffer, type: string): Promise<UploadResult | null> {
    const blobId = uploadBlobId(data);
    const { ttlMs, quotaBytes } = this.opts.limits;
    const expires = this.now() + ttlMs;
    const ok = await redisCall(
      this.redis.eval(
        RESERVE,
        1,
        this.indexKey(accountId),
        this.now(),
        data.length,
        quotaBytes,
        blobId,
        expires,
        ttlMs + SKEW_MS,
      ) as Promise<number>,
    );
    if (Number(ok) !== 1) return null;
    const key = this.dataKey(accountId, blobId);
    const results = await redisCall(
      this.redis
        .multi()
        .hset(key, "d", data, "t", type, "e", expires)
        .pexpire(key, ttlMs + SKEW_MS)
        .exec(),
    );
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error("Redis MULTI discarded");
    return { blobId, type, size: data.length };
  }

  async get(accountId: number, blobId: string): Promise<{ data: Buffer; type: string } | null> {
    const [d, t, e] = await redisCall(this.redis.hmgetBuffer(this.dataKey(accountId, blobId), "d", "t", "e"));
    if (!d || !t || !e || !(Number(e.toString()) > this.now())) return null;
    return { data: d, type: t.toString("utf8") };
  }

  private indexKey(accountId: number): string {
    return `${this.opts.keyPrefix}uploads:${accountId}`;
  }

  private dataKey(accountId: number, blobId: string): string {
    return `${this.opts.keyPrefix}upload:${accountId}:${blobId}`;
  }
}
