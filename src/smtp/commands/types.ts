// The shape of every command handler: parse the argument, act, reply (or throw SmtpError).
import type { Session } from "../session.js";

export type CommandHandler = (s: Session, arg: string) => Promise<void> | void;
