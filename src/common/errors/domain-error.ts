/** Errors the services raise on purpose; the exception filter maps each code to one HTTP status. */
export enum DomainErrorCode {
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  /** Another driver accepted the ride first. */
  RideAlreadyTaken = 'RIDE_ALREADY_TAKEN',
  /** The ride's status does not allow the action. */
  RideStateConflict = 'RIDE_STATE_CONFLICT',
  InvalidInput = 'INVALID_INPUT',
  Forbidden = 'FORBIDDEN',
  Unauthorized = 'UNAUTHORIZED',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  /** The server is at capacity for this kind of work right now (see BusyError). */
  Busy = 'BUSY',
}

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: FieldError[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Refused for lack of capacity, not for anything the client did: answered 503 with Retry-After. */
export class BusyError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(DomainErrorCode.Busy, message);
    this.name = 'BusyError';
  }
}

export const notFound = (what: string, id: number | string) =>
  new DomainError(DomainErrorCode.NotFound, `${what} ${id} not found`);

type ConflictCode =
  DomainErrorCode.Conflict | DomainErrorCode.RideAlreadyTaken | DomainErrorCode.RideStateConflict;

export const conflict = (message: string, code: ConflictCode = DomainErrorCode.Conflict) =>
  new DomainError(code, message);

export const invalidInput = (message: string, details?: FieldError[]) =>
  new DomainError(DomainErrorCode.InvalidInput, message, details);

/** Thrown by the ValidationPipe: one entry per failed rule, `field` as a dotted path. */
export class RequestValidationError extends DomainError {
  constructor(details: FieldError[]) {
    super(DomainErrorCode.InvalidInput, summarize(details), details);
    this.name = 'RequestValidationError';
  }
}

function summarize(details: FieldError[]): string {
  if (details.length === 0) return 'Validation failed';
  const shown = details.slice(0, 3).map((detail) => detail.message);
  const more = details.length > 3 ? ` (and ${details.length - 3} more)` : '';
  return `Validation failed: ${shown.join('; ')}${more}`;
}
