// RFC 5230 vacation and RFC 6131 vacation-seconds arguments as the action carries them: the
// interval clamped to the site's bounds (RFC 5230 4.1, RFC 6131 2), the default :handle
// (RFC 5230 4.2), :from and :addresses checked as addresses (4.3, 4.5).
import { createHash } from "node:crypto";
import { isAddrSpec, isValidFrom } from "./mailto.js";

export interface VacationBounds {
  minSeconds: number;
  maxSeconds: number;
}

export interface VacationArgs {
  reason: string;
  /** :days (RFC 5230) or :seconds (RFC 6131), as written; null when neither was given. */
  days: number | null;
  seconds: number | null;
  subject: string | null;
  from: string | null;
  addresses: string[];
  mime: boolean;
  handle: string | null;
}

/** RFC 5230 4.1: seven days unless the script says otherwise. */
export const DEFAULT_VACATION_DAYS = 7;

/** The interval in seconds: :seconds or :days x 86400 (default 7 days), within the site's bounds.
 *  RFC 6131 2: ":seconds 0" means reply every time; it is honoured only when the site's minimum
 *  is 0 (vacationMinSeconds), like any other value below the minimum. */
export function vacationSeconds(a: Pick<VacationArgs, "days" | "seconds">, b: VacationBounds): number {
  const asked = a.seconds ?? (a.days ?? DEFAULT_VACATION_DAYS) * 86400;
  return Math.min(Math.max(asked, b.minSeconds), b.maxSeconds);
}

/** RFC 5230 4.2: without :handle, replies are told apart by what they say: a hash of the reason,
 *  :subject, :from and :mime, so changing the text starts a new once-per-sender memory. */
export function vacationHandle(
  a: Pick<VacationArgs, "reason" | "subject" | "from" | "mime" | "handle">,
): string {
  if (a.handle !== null) return a.handle;
  const h = createHash("sha256");
  h.update(`${a.mime ? "1" : "0"}\0${a.subject ?? ""}\0${a.from ?? ""}\0${a.reason}`);
  return `auto-${h.digest("hex").slice(0, 32)}`;
}

/** An :addresses item as the address alone: "<a@b>" and "Name <a@b>" are written too (Pigeonhole
 *  accepts them; its examples/vacation.sieve has :addresses "<name@domain.ru>"). */
export function bareVacationAddress(s: string): string {
  const t = s.trim();
  const lt = t.lastIndexOf("<");
  return lt !== -1 && t.endsWith(">") ? t.slice(lt + 1, -1).trim() : t;
}

/** Why the arguments are unusable, or null. */
export function vacationProblem(a: Pick<VacationArgs, "from" | "addresses">): string | null {
  if (a.from !== null && !isValidFrom(a.from))
    return `vacation :from '${a.from.slice(0, 80)}' is not an address`;
  for (const x of a.addresses) {
    if (!isAddrSpec(bareVacationAddress(x)))
      return `vacation :addresses item '${x.slice(0, 80)}' is not an address`;
  }
  return null;
}
