import t from 'tap';
import { commandDataSchemas, commandRoles, parseCommand } from '../src/commands.js';
import { codes, officer } from './fixtures/fixtures.js';

t.test('every command has roles, and only business roles issue commands (the registry of bureaus: admin only)', async (t) => {
  t.same(Object.keys(commandRoles).sort(), Object.keys(commandDataSchemas).sort());
  const registry = ['RegisterBureau', 'RenameBureau', 'MergeBureau'];
  for (const [type, roles] of Object.entries(commandRoles)) {
    t.ok(roles.length > 0, type);
    if (registry.includes(type)) t.same(roles, ['admin'], type);
    else for (const role of roles) t.notOk(['auditor', 'reporter', 'admin'].includes(role), `${type}: ${role}`);
  }
});

t.test('parseCommand validates the whole command', async (t) => {
  const command = parseCommand({
    type: 'RegisterConversionContract',
    actor: officer,
    at: '2019-09-02T10:00:00+08:00',
    data: { contractId: 'c1', title: 'Licence', transferor: { name: 'Lead', creditCode: codes.lead }, transferee: { name: 'Buyer', creditCode: codes.buyer }, amount: '250000000', signedOn: '2019-09-01' },
  });
  t.match(command, { type: 'RegisterConversionContract', data: { amount: 250_000_000 } });
  const bad = (data: Record<string, unknown>) => () =>
    parseCommand({ type: 'RegisterConversionContract', actor: officer, at: '2019-09-02T10:00:00+08:00', data: { contractId: 'c1', title: 'Licence', transferor: { name: 'Lead', creditCode: codes.lead }, transferee: { name: 'Buyer', creditCode: codes.buyer }, amount: 1, signedOn: '2019-09-01', ...data } });
  t.throws(bad({ amount: 1.5 }), 'fraction of a fen');
  t.throws(bad({ amount: -1 }), 'negative');
  t.throws(bad({ signedOn: '2019-02-29' }), 'a date that does not exist');
  t.throws(bad({ transferee: { name: 'Buyer', creditCode: '91331081148012345X' } }), 'bad check character');
  t.throws(bad({ surprise: 1 }), 'unknown field');
  t.throws(() => parseCommand({ type: 'DropTables', actor: officer, at: '2019-09-02T10:00:00+08:00', data: {} }), /unknown command type/);
  t.throws(() => parseCommand({ type: 'CloseProject', actor: { id: 'x', role: 'root' }, at: '2019-09-02T10:00:00+08:00', data: {} }));
});

t.test('LaunchProgramme defaults to the Taizhou policy', async (t) => {
  const parsed = commandDataSchemas.LaunchProgramme.parse({ programmeId: 'tz-2018', name: 'Ten majors', bureau: 'Taizhou S&T Bureau', bureauCode: '331000', quota: 10 });
  t.equal(parsed.policy.r2AnnualCap, 100_000_000);
  t.same(parsed.focusIndustries, []);
});
