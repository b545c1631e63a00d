// The sender of a greylisting triplet. Lower-cased (RFC 5321 2.4 lets the local part be case
// sensitive, but no sender changes the case of its own address between retries); the null
// reverse-path "<>" (bounces, RFC 5321 4.5.5) is its own value. With normalize, what changes
// between retries of one message is removed, as postgrey does:
//  - a BATV tag (draft-levine-smtp-batv: "prvs=KDDDSSSSSS=user@domain"), new for every attempt
//    on some MTAs;
//  - a +extension ("list+bounce-xyz@"), used by list managers for per-message bounce addresses;
//  - numbers standing alone in the local part (VERP ids: "bounce-4711-x@" → "bounce-#-x@").
// SRS addresses (SRS0=hash=TT=domain=local@forwarder) are left alone: their timestamp changes
// once a day, within the usual retry window only at midnight.

const BATV = /^(?:prvs|msprvs\d*|btv1|batv)=[^=@]+=/;

export function tripletSender(reversePath: string, normalize: boolean): string {
  if (reversePath === "") return "<>";
  const lower = reversePath.toLowerCase();
  if (!normalize) return lower;
  const at = lower.lastIndexOf("@");
  if (at < 0) return lower;
  let local = lower.slice(0, at).replace(BATV, "");
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  local = local.replace(/(^|[^a-z0-9])\d+(?=$|[^a-z0-9])/g, "$1#");
  return `${local}${lower.slice(at)}`;
}
