import { Matches } from 'class-validator';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

/**
 * Text a person typed: no control characters other than tab and line breaks. PostgreSQL cannot
 * store NUL in text, and the driver would quietly rewrite it.
 */
export function IsPrintableText(): PropertyDecorator {
  return Matches(CONTROL_CHARACTERS, { message: '$property must not contain control characters' });
}
