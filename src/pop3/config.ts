// [pop3] section of the config file.
import { bool } from "../config/dsl.js";

export const pop3Section = {
  allowPlaintextAuth: bool(false, "Allow USER/PASS and AUTH on unencrypted connections (trusted LAN only)."),
};
