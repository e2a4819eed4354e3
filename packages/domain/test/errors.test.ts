import t from 'tap';
import { DomainError, domainError, domainErrorCodes, errorCatalogue, isDomainError } from '../src/errors.js';

t.test('domainError builds a coded error with its kind', async (t) => {
  const error = domainError('QUOTA_REACHED', 'programme tz-2018 has selected 10 of 10 projects', { quota: 10 });
  t.ok(error instanceof DomainError);
  t.ok(error instanceof Error);
  t.ok(isDomainError(error));
  t.equal(error.code, 'QUOTA_REACHED');
  t.equal(error.kind, 'rule');
  t.same(error.details, { quota: 10 });
  t.equal(domainError('FOUR_EYES_VIOLATION', 'x').kind, 'forbidden');
  t.equal(domainError('PROJECT_NOT_FOUND', 'x').kind, 'not_found');
  t.notOk(isDomainError(new Error('plain')));
});

t.test('every code is UPPER_SNAKE with a known kind', async (t) => {
  for (const code of domainErrorCodes) {
    t.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
    t.ok(['rule', 'not_found', 'forbidden'].includes(errorCatalogue[code]));
  }
});
