import { isDomainError } from '@gongguan/domain';
import { appError, type AppError, type ErrorTranslator } from '@gongguan/platform';
import { ZodError } from 'zod';

/**
 * Domain refusals keep their own stable code (`QUOTA_REACHED`, `FOUR_EYES_REQUIRED`, …); their
 * kind decides the status: a broken rule 409, something missing 404, a forbidden actor 403.
 */
export const domainErrorTranslator: ErrorTranslator = (err): AppError | undefined => {
  if (isDomainError(err)) {
    const options = { publicCode: err.code, extra: { details: err.details } };
    switch (err.kind) {
      case 'rule':
        return appError('RULE_VIOLATION', err.message, options);
      case 'not_found':
        return appError('NOT_FOUND', err.message, options);
      case 'forbidden':
        return appError('FORBIDDEN', err.message, options);
      default: {
        const never: never = err.kind;
        return appError('INTERNAL', `unknown domain error kind ${String(never)}`);
      }
    }
  }
  if (err instanceof ZodError) {
    const errors = err.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message }));
    return appError('VALIDATION_FAILED', `${errors.length} field(s) are not valid`, { extra: { errors } });
  }
  return undefined;
};
