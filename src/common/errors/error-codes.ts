/**
 * The stable, machine-readable `code` of every error body. Clients branch on these, never on
 * `message`; a code, once published, keeps its meaning.
 */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedRequest = 'MALFORMED_REQUEST',
  BadRequest = 'BAD_REQUEST',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  RideAlreadyTaken = 'RIDE_ALREADY_TAKEN',
  RideStateConflict = 'RIDE_STATE_CONFLICT',
  RequestTimeout = 'REQUEST_TIMEOUT',
  RequestAborted = 'REQUEST_ABORTED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  HeadersTooLarge = 'HEADERS_TOO_LARGE',
  RateLimited = 'RATE_LIMITED',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Busy = 'BUSY',
  InternalError = 'INTERNAL_ERROR',
}

export const ERROR_CODE_DESCRIPTIONS: Record<ErrorCode, string> = {
  [ErrorCode.ValidationFailed]:
    '400: a value breaks a rule; `details` names the fields when the failure is about fields',
  [ErrorCode.MalformedRequest]:
    '400: the request cannot be read (invalid JSON, URL or HTTP framing)',
  [ErrorCode.BadRequest]: '4xx: a client error without a more specific code',
  [ErrorCode.Unauthorized]: '401: no valid access token, or wrong credentials',
  [ErrorCode.Forbidden]: "403: the caller's role may not do this",
  [ErrorCode.NotFound]: '404: no such route, or no such record visible to the caller',
  [ErrorCode.Conflict]: '409: the change conflicts with the current data (e.g. a taken username)',
  [ErrorCode.RideAlreadyTaken]: '409: another driver accepted the ride first',
  [ErrorCode.RideStateConflict]:
    "409: the ride's current status does not allow this action (e.g. completing a cancelled ride)",
  [ErrorCode.RequestTimeout]: '408: the request was not received in time',
  [ErrorCode.RequestAborted]: '400: the client closed the connection before sending the whole body',
  [ErrorCode.PayloadTooLarge]: '413: the body is larger than the limit',
  [ErrorCode.UnsupportedMediaType]: '415: the body is not `application/json`',
  [ErrorCode.HeadersTooLarge]: '431: the request headers are larger than 16 KB',
  [ErrorCode.RateLimited]: '429: too many attempts; `Retry-After` says when to try again',
  [ErrorCode.ServiceUnavailable]: '503: the database is unreachable; retry shortly',
  [ErrorCode.Busy]:
    '503: too many sign-ins (logins, sign-ups, password changes) at once; `Retry-After` says when to try again',
  [ErrorCode.InternalError]: '500: an unexpected error; quote `requestId` when reporting it',
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  // The application raises its own 400s as domain errors: a bare 400 is Fastify's, about the body.
  400: ErrorCode.MalformedRequest,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  408: ErrorCode.RequestTimeout,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.RateLimited,
  431: ErrorCode.HeadersTooLarge,
  503: ErrorCode.ServiceUnavailable,
};

/** The code of an error known only by its status (Nest's HTTP exceptions, Fastify's errors). */
export function codeForStatus(status: number): ErrorCode {
  return CODE_BY_STATUS[status] ?? (status < 500 ? ErrorCode.BadRequest : ErrorCode.InternalError);
}
