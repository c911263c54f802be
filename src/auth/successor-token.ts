import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Within the reuse interval a rotated refresh token must yield the same successor again, but the
 * database keeps only digests of tokens. So the successor is kept sealed (AES-256-GCM) under a key
 * derived (HKDF-SHA-256) from the rotated token itself: only whoever presents that token can open
 * it, so a copy of the database alone reveals no usable token, and the ciphertext is cleared once
 * the interval is over. The session id is bound in as associated data, so a ciphertext moved to
 * another row does not open.
 */
const INFO = 'swiftride/refresh-token-successor/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyFor(predecessor: string): Buffer {
  return Buffer.from(hkdfSync('sha256', predecessor, Buffer.alloc(0), INFO, 32));
}

export function sealSuccessor(predecessor: string, sessionId: number, successor: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(predecessor), iv);
  cipher.setAAD(Buffer.from(String(sessionId)));
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** Undefined when the ciphertext was not sealed with this token for this session. */
export function openSuccessor(
  predecessor: string,
  sessionId: number,
  ciphertext: string,
): string | undefined {
  try {
    const bytes = Buffer.from(ciphertext, 'base64url');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keyFor(predecessor),
      bytes.subarray(0, IV_BYTES),
    );
    decipher.setAAD(Buffer.from(String(sessionId)));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}
