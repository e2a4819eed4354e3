import { parseArgs } from 'node:util';
import { BUREAU_CODE, ensureDevKeys, LEGACY_BUREAU_CODE, readPrivateJwk, Role, signToken } from '@gongguan/platform';

const maxTtl = Number(process.env.JWT_MAX_LIFETIME_SECONDS ?? 86_400);
const usage = `usage: pnpm token --role <role> [--role <role>...] --sub <subject> [--bureau <code>] [--ttl <seconds>]
--ttl defaults to 43200 (12 h) and may not exceed JWT_MAX_LIFETIME_SECONDS (${maxTtl}): the services refuse longer-lived tokens.
--bureau is the caller's bureau, a GB/T 2260 code (330000 Zhejiang, 331000 Taizhou, 331002 Jiaojiang); default 331000.
roles: ${Role.options.join(', ')}
Signs a token with the embedded default's development key in DATA_DIR (default ./.data).`;

const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true },
    sub: { type: 'string' },
    bureau: { type: 'string', default: LEGACY_BUREAU_CODE },
    ttl: { type: 'string', default: String(12 * 3600) },
    help: { type: 'boolean', default: false },
  },
});

if (values.help || !values.role || !values.sub) {
  console.error(usage);
  process.exit(values.help ? 0 : 64);
}
const roles = values.role.map((r) => Role.safeParse(r));
const bad = values.role.filter((_, i) => !roles[i]?.success);
if (bad.length > 0) {
  console.error(`unknown role(s): ${bad.join(', ')}\n${usage}`);
  process.exit(64);
}
const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl <= 0 || ttl > maxTtl) {
  console.error(`--ttl must be a positive number of seconds, at most ${maxTtl}\n${usage}`);
  process.exit(64);
}
if (!BUREAU_CODE.test(values.bureau)) {
  console.error(`--bureau must be a GB/T 2260 code of six digits (got ${JSON.stringify(values.bureau)})\n${usage}`);
  process.exit(64);
}
if (process.env.GONGGUAN_ENV === 'production') {
  console.error('pnpm token signs with the development key; production tokens come from your identity provider');
  process.exit(64);
}
const keys = await ensureDevKeys(process.env.DATA_DIR ?? './.data');
const token = await signToken(readPrivateJwk(keys.privateJwk), {
  subject: values.sub,
  roles: roles.flatMap((r) => (r.success ? [r.data] : [])),
  bureau: values.bureau,
  ttlSeconds: ttl,
  issuer: process.env.JWT_ISSUER,
  audience: process.env.JWT_AUDIENCE,
});
console.log(token);
