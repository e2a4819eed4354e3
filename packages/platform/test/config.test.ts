import t from 'tap';
import { baseConfigSchema, ConfigError, loadConfig } from '@gongguan/platform';

const schema = baseConfigSchema({ port: 3001, serviceName: 'test' });

t.test('defaults apply when nothing is set', async (t) => {
  const config = loadConfig(schema, {});
  t.equal(config.PORT, 3001);
  t.equal(config.HOST, '127.0.0.1');
  t.equal(config.DATABASE_URL, undefined);
  t.equal(config.DATA_DIR, './.data');
});

t.test('one error names every bad variable and what it expects', async (t) => {
  const err = t.throws(() =>
    loadConfig(schema, { PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', BODY_LIMIT_BYTES: '-5' }),
  ) as unknown;
  t.ok(err instanceof ConfigError);
  const message = (err as ConfigError).message;
  for (const variable of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'BODY_LIMIT_BYTES']) t.match(message, variable);
  t.match(message, /PORT: expected a TCP port number \(1-65535, or 0 for any free port\) \(got "abc"\)/);
  t.match(message, /DATABASE_URL: expected a postgres:\/\/ connection string/);
  t.equal((err as ConfigError).problems.length, 4);
});

t.test('production refuses to start without configured public keys', async (t) => {
  t.throws(() => loadConfig(schema, { GONGGUAN_ENV: 'production' }), /JWKS_FILE \/ JWKS_URL/);
  t.equal(loadConfig(schema, { GONGGUAN_ENV: 'production', JWKS_FILE: '/etc/jwks.json' }).JWKS_FILE, '/etc/jwks.json');
});

t.test('the event store group commit settings: defaults, set, and refused when not a positive integer', async (t) => {
  const defaults = loadConfig(schema, {});
  t.equal(defaults.EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT, 1);
  t.equal(defaults.EVENT_STORE_GROUP_COMMIT_STALL_MS, 25);
  const set = loadConfig(schema, { EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT: '2', EVENT_STORE_GROUP_COMMIT_STALL_MS: '3' });
  t.equal(set.EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT, 2);
  t.equal(set.EVENT_STORE_GROUP_COMMIT_STALL_MS, 3);
  const err = t.throws(() => loadConfig(schema, { EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT: '0', EVENT_STORE_GROUP_COMMIT_STALL_MS: '2.5' })) as ConfigError;
  t.equal(err.problems.length, 2);
  t.match(err.message, /EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT: expected a positive integer number of batches \(got "0"\)/);
  t.match(err.message, /EVENT_STORE_GROUP_COMMIT_STALL_MS: expected a positive integer number of milliseconds \(got "2.5"\)/);
});

t.test('HEAP_GROWING_PERCENT: 300 by default, 0 allowed (V8 chooses), refused when not a whole number in 0–1000', async (t) => {
  t.equal(loadConfig(schema, {}).HEAP_GROWING_PERCENT, 300);
  t.equal(loadConfig(schema, { HEAP_GROWING_PERCENT: '0' }).HEAP_GROWING_PERCENT, 0);
  for (const [bad, message] of [['-1', /whole number percent/], ['2.5', /whole number percent/], ['lots', /whole number percent/], ['5000', /at most 1000/]] as const) {
    const err = t.throws(() => loadConfig(schema, { HEAP_GROWING_PERCENT: bad })) as ConfigError;
    t.match(err.message, new RegExp(`HEAP_GROWING_PERCENT: expected .*${message.source}`), bad);
  }
});
