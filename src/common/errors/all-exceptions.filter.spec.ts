import { BadRequestException, NotFoundException } from '@nestjs/common';
import {
  ConnectionRefusedError,
  DatabaseError,
  ForeignKeyConstraintError,
  UniqueConstraintError,
} from 'sequelize';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { conflict, DomainErrorCode, notFound, RequestValidationError } from './domain-error';

function pgError(fields: Record<string, unknown>): Error & { sql: string } {
  return Object.assign(new Error('driver message with SQL details'), {
    sql: 'SELECT secret',
    ...fields,
  });
}

describe('AllExceptionsFilter.map', () => {
  const filter = new AllExceptionsFilter();

  it('maps domain errors to their status codes', () => {
    expect(filter.map(notFound('User', 4))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
      message: 'User 4 not found',
    });
    expect(filter.map(conflict('taken'))).toMatchObject({ status: 409, code: 'CONFLICT' });
    const validation = filter.map(
      new RequestValidationError([{ field: 'a', message: 'a is required' }]),
    );
    expect(validation).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'Validation failed: a is required',
      details: [{ field: 'a', message: 'a is required' }],
    });
  });

  it('turns a unique violation on lower(username) into 409 naming the field', () => {
    const error = new UniqueConstraintError({
      parent: pgError({ detail: 'Key (lower(username::text))=(ann) already exists.' }),
    } as never);
    expect(filter.map(error)).toEqual({
      status: 409,
      code: 'CONFLICT',
      message: 'username is already taken',
      details: [{ field: 'username', message: 'username is already taken' }],
    });
  });

  it('tells a missing parent (400) from a still-referenced row (409)', () => {
    const missing = new ForeignKeyConstraintError({
      parent: pgError({ detail: 'Key ("roleId")=(99) is not present in table "Roles".' }),
    } as never);
    expect(filter.map(missing)).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'roleId does not refer to an existing record',
    });
    const referenced = new ForeignKeyConstraintError({
      parent: pgError({ detail: 'Key (id)=(4) is still referenced from table "Users".' }),
    } as never);
    expect(filter.map(referenced)).toMatchObject({ status: 409, code: 'CONFLICT' });
  });

  it('answers 400 for values PostgreSQL refuses, without the SQL', () => {
    const mapped = filter.map(new DatabaseError(pgError({ code: '22P02' }) as never));
    expect(mapped).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'A value in the request is not acceptable',
    });
  });

  it('answers 503 when the database cannot be reached', () => {
    expect(filter.map(new ConnectionRefusedError(new Error('ECONNREFUSED')))).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('maps Fastify client errors and keeps Nest HTTP exceptions', () => {
    const tooLarge = Object.assign(new Error('x'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(filter.map(tooLarge)).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body is too large',
    });
    expect(filter.map(new NotFoundException('Cannot GET /x'))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
      message: 'Cannot GET /x',
    });
    expect(filter.map(new BadRequestException(['a', 'b']))).toEqual({
      status: 400,
      code: 'MALFORMED_REQUEST',
      message: 'a; b',
    });
  });

  it('gives ride conflicts their own codes', () => {
    expect(filter.map(conflict('x', DomainErrorCode.RideAlreadyTaken))).toMatchObject({
      status: 409,
      code: 'RIDE_ALREADY_TAKEN',
    });
    expect(filter.map(conflict('x', DomainErrorCode.RideStateConflict))).toMatchObject({
      status: 409,
      code: 'RIDE_STATE_CONFLICT',
    });
  });

  it('blames a body abandoned by the client on the client', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    expect(filter.map(aborted)).toMatchObject({ status: 400, code: 'REQUEST_ABORTED' });
  });

  it('hides everything about unexpected errors', () => {
    expect(filter.map(new TypeError('cannot read x of undefined'))).toEqual({
      status: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
    });
    expect(filter.map(new DatabaseError(pgError({ code: '42P01' }) as never)).status).toBe(500);
  });

  it('answers 503 when the database goes away under a running query', () => {
    const unavailable = {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is unavailable; try again shortly',
    };
    const cut = (fields: Record<string, unknown>, message = 'driver message') =>
      new DatabaseError(Object.assign(new Error(message), { sql: 'SELECT 1', ...fields }) as never);
    expect(filter.map(cut({ code: '57P01' }))).toEqual(unavailable);
    expect(filter.map(cut({ code: '57P03' }))).toEqual(unavailable);
    expect(filter.map(cut({ code: '08006' }))).toEqual(unavailable);
    expect(filter.map(cut({}, 'Connection terminated unexpectedly'))).toEqual(unavailable);
    // The server's end of the socket reset while it shut down (seen under load).
    expect(filter.map(cut({ code: 'ECONNRESET' }, 'read ECONNRESET'))).toEqual(unavailable);
    expect(filter.map(cut({ code: 'EPIPE' }, 'write EPIPE'))).toEqual(unavailable);
    expect(filter.map(cut({}, 'something else')).status).toBe(500);
  });
});
