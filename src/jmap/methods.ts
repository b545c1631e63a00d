// The method table: name → capability and handler. Only methods that work are listed; a call to
// anything else answers unknownMethod (RFC 8620 3.6.2). Not offered: Thread/query-like
// extensions, Blob/* (RFC 9404). VacationResponse's auto-reply is sent on delivery by
// src/delivery/vacation.ts (SMTP and JMAP's local delivery). SpamSettings/* is our extension
// urn:yubin:params:jmap:spam (src/jmap/spam-settings), usable only while the session offers it;
// AppPassword/* is urn:yubin:params:jmap:apppasswords (src/jmap/app-passwords), offered only to
// the account password. SieveScript/* is JMAP Sieve (RFC 9661, src/jmap/sieve), offered while
// [sieve] enabled.

import { appPasswordGet } from "./app-passwords/get.js";
import { CAP_APP_PASSWORDS } from "./app-passwords/object.js";
import { appPasswordSet } from "./app-passwords/set.js";
import { coreEcho } from "./core/echo.js";
import { CAP_MAIL, CAP_SUBMISSION, CAP_VACATION } from "./core/ids.js";
import type { MethodDef } from "./core/types.js";
import { emailChanges } from "./email/changes.js";
import { emailGet } from "./email/get.js";
import { emailImport } from "./email/import.js";
import { emailParse } from "./email/parse.js";
import { emailQuery } from "./email/query.js";
import { emailQueryChanges } from "./email/query-changes.js";
import { emailSet } from "./email/set.js";
import { identityChanges } from "./identity/changes.js";
import { identityGet } from "./identity/get.js";
import { identitySet } from "./identity/set.js";
import { mailboxChanges } from "./mailbox/changes.js";
import { mailboxGet } from "./mailbox/get.js";
import { mailboxQuery } from "./mailbox/query.js";
import { mailboxQueryChanges } from "./mailbox/query-changes.js";
import { mailboxSet } from "./mailbox/set.js";
import { sieveScriptChanges } from "./sieve/changes.js";
import { sieveScriptGet } from "./sieve/get.js";
import { CAP_SIEVE } from "./sieve/object.js";
import { sieveScriptQuery } from "./sieve/query.js";
import { sieveScriptSet } from "./sieve/set.js";
import { sieveScriptValidate } from "./sieve/validate.js";
import { searchSnippetGet } from "./snippet/get.js";
import { spamSettingsGet } from "./spam-settings/get.js";
import { CAP_SPAM } from "./spam-settings/object.js";
import { spamSettingsSet } from "./spam-settings/set.js";
import { submissionChanges } from "./submission/changes.js";
import { submissionGet } from "./submission/get.js";
import { submissionQuery } from "./submission/query.js";
import { submissionSet } from "./submission/set.js";
import { threadChanges } from "./thread/changes.js";
import { threadGet } from "./thread/get.js";
import { vacationGet } from "./vacation/get.js";
import { vacationSet } from "./vacation/set.js";

export const METHODS: ReadonlyMap<string, MethodDef> = new Map<string, MethodDef>([
  ["Core/echo", { capability: "urn:ietf:params:jmap:core", handler: coreEcho }],
  ["Mailbox/get", { capability: CAP_MAIL, handler: mailboxGet }],
  ["Mailbox/changes", { capability: CAP_MAIL, handler: mailboxChanges }],
  ["Mailbox/query", { capability: CAP_MAIL, handler: mailboxQuery }],
  ["Mailbox/queryChanges", { capability: CAP_MAIL, handler: mailboxQueryChanges }],
  ["Mailbox/set", { capability: CAP_MAIL, handler: mailboxSet }],
  ["Email/get", { capability: CAP_MAIL, handler: emailGet }],
  ["Email/changes", { capability: CAP_MAIL, handler: emailChanges }],
  ["Email/query", { capability: CAP_MAIL, handler: emailQuery }],
  ["Email/queryChanges", { capability: CAP_MAIL, handler: emailQueryChanges }],
  ["Email/set", { capability: CAP_MAIL, handler: emailSet }],
  ["Email/import", { capability: CAP_MAIL, handler: emailImport }],
  ["Email/parse", { capability: CAP_MAIL, handler: emailParse }],
  ["Thread/get", { capability: CAP_MAIL, handler: threadGet }],
  ["Thread/changes", { capability: CAP_MAIL, handler: threadChanges }],
  ["SearchSnippet/get", { capability: CAP_MAIL, handler: searchSnippetGet }],
  ["Identity/get", { capability: CAP_SUBMISSION, handler: identityGet }],
  ["Identity/changes", { capability: CAP_SUBMISSION, handler: identityChanges }],
  ["Identity/set", { capability: CAP_SUBMISSION, handler: identitySet }],
  ["EmailSubmission/get", { capability: CAP_SUBMISSION, handler: submissionGet }],
  ["EmailSubmission/changes", { capability: CAP_SUBMISSION, handler: submissionChanges }],
  ["EmailSubmission/query", { capability: CAP_SUBMISSION, handler: submissionQuery }],
  ["EmailSubmission/set", { capability: CAP_SUBMISSION, handler: submissionSet }],
  ["VacationResponse/get", { capability: CAP_VACATION, handler: vacationGet }],
  ["VacationResponse/set", { capability: CAP_VACATION, handler: vacationSet }],
  ["SpamSettings/get", { capability: CAP_SPAM, handler: spamSettingsGet }],
  ["SpamSettings/set", { capability: CAP_SPAM, handler: spamSettingsSet }],
  ["AppPassword/get", { capability: CAP_APP_PASSWORDS, handler: appPasswordGet }],
  ["AppPassword/set", { capability: CAP_APP_PASSWORDS, handler: appPasswordSet }],
  ["SieveScript/get", { capability: CAP_SIEVE, handler: sieveScriptGet }],
  ["SieveScript/changes", { capability: CAP_SIEVE, handler: sieveScriptChanges }],
  ["SieveScript/set", { capability: CAP_SIEVE, handler: sieveScriptSet }],
  ["SieveScript/query", { capability: CAP_SIEVE, handler: sieveScriptQuery }],
  ["SieveScript/validate", { capability: CAP_SIEVE, handler: sieveScriptValidate }],
]);
