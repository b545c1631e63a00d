// [delivery] config: what happens to mail for local accounts in special states. A leaf module,
// like every config section: src/config/schema.ts composes it.
import { oneOf, type SectionValue } from "../config/dsl.js";

export const deliverySection = {
  disabledAccounts: oneOf(
    ["reject", "accept"] as const,
    "reject",
    'Mail to a disabled account: "reject" refuses it in the dialogue (550 5.2.1 at RCPT, RFC 3463 X.2.1 "mailbox disabled"; an alias delivers to its other targets), "accept" files it as usual so nothing is lost while the account is off (it still cannot log in).',
  ),
};

export type DeliveryConfig = SectionValue<typeof deliverySection>;
