// [smtp] section of the config file.
import { int } from "../config/dsl.js";

export const smtpSection = {
  maxMessageSize: int(25 * 1024 * 1024, "Largest message accepted, in octets (SIZE).", { min: 1024 }),
  maxRecipients: int(100, "Most recipients per message.", { min: 1 }),
};
