// Errors from a provider can quote what we sent or what it received (request bodies, echoed headers, a
// key "sk-…abcd" it refused). Anything that leaves the worker as a message goes through here first.

const KEY_SHAPED = /\b(?:sk|sk-ant|sk-proj|rk|pk)-[A-Za-z0-9_-]{12,}/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "keys" (a local server's "x") would shred ordinary words; they guard nothing anyway.
    if (secret.length >= 6) out = out.split(secret).join('[redacted]');
  }
  return out.replace(KEY_SHAPED, '[redacted]').replace(BEARER, '$1 [redacted]');
}
