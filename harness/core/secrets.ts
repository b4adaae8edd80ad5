// Secrets never belong in a pinned document. These patterns catch the usual suspects: Anthropic
// keys, bearer tokens, cloud keys, and credential-named fields; `known` adds exact values (the
// API key in the environment) so even an oddly shaped key is caught.
const SECRET_PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'an Anthropic API key', re: /sk-ant-[A-Za-z0-9_-]{8,}/ },
  { name: 'an API key', re: /\bsk-[A-Za-z0-9]{20,}/ },
  { name: 'a bearer token', re: /Bearer\s+[A-Za-z0-9._~+/-]{16,}/i },
  { name: 'an AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/ },
  { name: 'a private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];
const SECRET_KEY_NAMES = /^(api[_-]?key|apikey|x-api-key|secret|client[_-]?secret|password|passwd|auth[_-]?token|access[_-]?token|authorization)$/i;

export interface SecretFinding {
  path: string;
  what: string;
}

export function findSecrets(value: unknown, known: readonly string[] = []): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const exact = known.filter((k) => k.length >= 8);
  const visit = (v: unknown, path: string, key: string | undefined): void => {
    if (typeof v === 'string') {
      if (exact.some((k) => v.includes(k))) findings.push({ path, what: 'the value of an API key from the environment' });
      else if (key !== undefined && SECRET_KEY_NAMES.test(key) && v !== '') findings.push({ path, what: `a credential field ("${key}")` });
      else {
        const hit = SECRET_PATTERNS.find((p) => p.re.test(v));
        if (hit) findings.push({ path, what: `what looks like ${hit.name}` });
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${path}/${i}`, undefined));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) visit(item, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, k);
    }
  };
  visit(value, '', undefined);
  return findings;
}

/**
 * `text` with each value of `values` (those of 8 characters or more, too short to be a secret
 * otherwise) replaced by `[redacted: <name>]`: what a program given secrets printed, before the
 * trace keeps it.
 */
export function redact(text: string, values: Readonly<Record<string, string | undefined>>): string {
  let out = text;
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value.length >= 8) out = out.split(value).join(`[redacted: ${name}]`);
  }
  return out;
}
