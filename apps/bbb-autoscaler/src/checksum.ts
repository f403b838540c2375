/**
 * Signing the checksum-protected calls of BigBlueButton's API and of Scalelite's admin API. Both verify the same rule:
 * the checksum is the hex digest of the call name, the query string without the checksum, and the shared secret,
 * concatenated with nothing between them. The body of a POST is not covered.
 *
 * - BigBlueButton: docs/docs/development/api.md, "API Security Model" (bigbluebutton/bigbluebutton @ 003e3832), and
 *   bbb-common-web `GetChecksumValidator.java` (@ 4b5d4e9e): SHA-1, SHA-256, SHA-384 or SHA-512, chosen by the
 *   checksum's length, compared case-insensitively.
 * - Scalelite: app/controllers/concerns/api_helper.rb `verify_checksum` (blindsidenetworks/scalelite v1.8.5 @ 7498a81):
 *   `action_name.camelcase(:lower)` + `request.query_string` with `checksum=…` cut out + `LOADBALANCER_SECRET`;
 *   SHA-1, SHA-256 or SHA-512 only (no SHA-384), as allowed by `LOADBALANCER_CHECKSUM_ALGORITHM` (default
 *   `SHA1:SHA256:SHA512`), compared with lower-case hex exactly.
 *
 * SHA-256 is what both accept by default and what Scalelite itself signs with (`checksum_algorithm` in api_helper.rb).
 */
import { createHash } from 'node:crypto';

/** A digest both APIs accept for a checksum (Scalelite refuses `sha384`). */
export type ChecksumAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** The lower-case hex checksum of one call: digest of `callName + query + secret`. */
export function apiChecksum(callName: string, query: string, secret: string, algorithm: ChecksumAlgorithm): string {
  return createHash(algorithm).update(`${callName}${query}${secret}`, 'utf8').digest('hex');
}

/**
 * The query string to send for a call: the parameters form-encoded in the given order, then `checksum=` over exactly
 * that string. Both servers hash the raw query string as received, so the checksum holds for any encoding as long as
 * the string is sent unchanged (form encoding leaves nothing for a URL parser to re-encode).
 */
export function signedQuery(
  callName: string,
  params: Readonly<Record<string, string>>,
  secret: string,
  algorithm: ChecksumAlgorithm,
): string {
  const query = new URLSearchParams(params).toString();
  const checksum = apiChecksum(callName, query, secret, algorithm);
  return query === '' ? `checksum=${checksum}` : `${query}&checksum=${checksum}`;
}
