import type { ArgumentMetadata } from '@nestjs/common';
import { RequestValidationError } from '../errors/domain-error';
import { PaginationQueryDto } from '../pagination/pagination.dto';
import { createValidationPipe } from './validation.pipe';

const asQuery: ArgumentMetadata = { type: 'query', metatype: PaginationQueryDto };

async function refusal(promise: Promise<unknown>): Promise<RequestValidationError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RequestValidationError);
  return error as RequestValidationError;
}

describe('the validation pipe on queries', () => {
  it('gives the same query the same DTO each time, each request its own copy', async () => {
    const pipe = createValidationPipe();
    const first = (await pipe.transform(
      { page: '2', limit: '500' },
      asQuery,
    )) as PaginationQueryDto;
    first.page = 99;
    const second = (await pipe.transform(
      { page: '2', limit: '500' },
      asQuery,
    )) as PaginationQueryDto;

    expect(second).toBeInstanceOf(PaginationQueryDto);
    expect(second).toEqual({ page: 2, limit: 100 });
    expect(second).not.toBe(first);
    expect(await pipe.transform({}, asQuery)).toEqual({ page: 1, limit: 20 });
  });

  it('refuses an invalid query every time it comes, with the same details', async () => {
    const pipe = createValidationPipe();
    const once = await refusal(pipe.transform({ page: '0', extra: 'x' }, asQuery));
    const again = await refusal(pipe.transform({ page: '0', extra: 'x' }, asQuery));
    expect(again.details).toEqual(once.details);
    expect(once.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'page' }),
        expect.objectContaining({ field: 'extra' }),
      ]),
    );
  });

  it('refuses built-in key names as unknown fields, also after a valid query', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({ page: '1' }, asQuery);
    const error = await refusal(
      pipe.transform(JSON.parse('{"page":"1","__proto__":"x"}') as object, asQuery),
    );
    expect(error.details).toEqual([expect.objectContaining({ field: '__proto__' })]);
  });

  it('validates repeated keys (several values) anew rather than remembering them', async () => {
    const pipe = createValidationPipe();
    await refusal(pipe.transform({ page: ['1', '2'] }, asQuery));
    await refusal(pipe.transform({ page: ['1', '2'] }, asQuery));
  });
});
