import { createHmac } from 'node:crypto';

/** Hand-made JWTs for token-attack tests: signed with any secret, re-signed, or unsigned. */

export type JwtPart = Record<string, unknown>;

const encode = (part: JwtPart) => Buffer.from(JSON.stringify(part)).toString('base64url');

export function decodeJwtPart(segment: string): JwtPart {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as JwtPart;
}

/** The payload of a JWT, read the way the iOS client reads it (no signature check). */
export function decodeJwtPayload(token: string): JwtPart {
  return decodeJwtPart(token.split('.')[1]);
}

export const nowInSeconds = () => Math.floor(Date.now() / 1000);

/** An HS256 (or, when asked, another HMAC) token over exactly this payload. */
export function signJwt(
  payload: JwtPart,
  secret: string,
  algorithm: 'HS256' | 'HS384' | 'HS512' = 'HS256',
): string {
  const unsigned = `${encode({ alg: algorithm, typ: 'JWT' })}.${encode(payload)}`;
  const digest = `sha${algorithm.slice(2)}`;
  const signature = createHmac(digest, secret).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

/** An unsigned token (`alg: none`), with an empty signature as RFC 7519 describes it. */
export function unsignedJwt(payload: JwtPart): string {
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}

/** The same token with its payload replaced and its original signature kept. */
export function withPayload(token: string, changes: JwtPart): string {
  const [header, payload, signature] = token.split('.');
  return `${header}.${encode({ ...decodeJwtPart(payload), ...changes })}.${signature}`;
}
