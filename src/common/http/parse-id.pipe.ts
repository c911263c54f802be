import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { invalidInput } from '../errors/domain-error';

const MAX_ID = 2_147_483_647;

/** `:id` path parameters: a positive 32-bit integer, written plainly (no sign, no leading zeros). */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? 'id';
    const id = /^[1-9]\d{0,9}$/.test(value) ? Number(value) : NaN;
    if (!(id <= MAX_ID)) {
      const message = `${name} must be a positive integer`;
      throw invalidInput(message, [{ field: name, message }]);
    }
    return id;
  }
}
