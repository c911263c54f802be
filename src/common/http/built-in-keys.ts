import type { FieldError } from '../errors/domain-error';

/**
 * Keys every object already has (`constructor`, `toString`, `valueOf`, `__proto__`, …) and
 * `prototype`. Nest's ValidationPipe deletes some of them and class-transformer skips the others
 * (the new DTO instance already has them as functions), so whitelisting never sees them as
 * unknown; the JSON parser refuses the ones that could pollute a prototype.
 */
const BUILT_IN_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** Every key named like a built-in, at any depth, worded as the whitelist words an unknown key. */
export function builtInKeys(value: unknown, parent = ''): FieldError[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const field = parent ? `${parent}.${key}` : key;
    return BUILT_IN_KEYS.has(key)
      ? [{ field, message: `property ${key} should not exist` }]
      : builtInKeys(child, field);
  });
}
