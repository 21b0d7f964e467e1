import { z } from 'zod';

/** Every failure that crosses the API has one of these codes, a sentence for the user and, when one field is at fault, its path. */
export const ErrorCode = z.enum([
  'invalid_input',
  'unknown_channel',
  'not_signed_in',
  'forbidden',
  'no_case_open',
  'case_already_open',
  'wrong_password',
  'too_many_attempts',
  'wrong_passphrase',
  'not_found',
  'conflict',
  'unsupported_file',
  'integrity',
  'cancelled',
  'unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiError = z.object({
  code: ErrorCode,
  message: z.string(),
  field: z.string().optional(),
});
export type ApiError = z.infer<typeof ApiError>;

/** A failure the user can act on; thrown by services, turned into an ApiError by the router. */
export class LoupeError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'LoupeError';
    this.code = code;
    this.field = field;
  }
  toApiError(): ApiError {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

/** What every transport returns: never a thrown exception. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };
