import fc from 'fast-check';
import t from 'tap';
import { BureauCode, LEGACY_BUREAU_CODE, bureauLevel, defaultParent, derivedPath, isPathWithin, provinceOf } from '../../src/bureau/codes.js';
import { BureauDirectory } from '../../src/bureau/directory.js';
import { bureauRegistryDecider, type BureauCommand, type BureauEvent } from '../../src/bureau/registry.js';
import { isDomainError } from '../../src/errors.js';
import { parseEvent } from '../../src/upcasting.js';
import { currentSchemaVersion } from '../../src/events.js';
import type { Actor } from '../../src/values/common.js';
import { officer, on } from '../fixtures/fixtures.js';
import { history, specFor } from '../fixtures/given.js';

const admin: Actor = { id: 'admin-xu', role: 'admin' };
const given = specFor(bureauRegistryDecider);

function cmd<K extends BureauCommand['type']>(type: K, data: Extract<BureauCommand, { type: K }>['data'], actor = admin): BureauCommand {
  return { type, data, actor, at: on('2024-01-02') } as BureauCommand;
}
const reg = (code: string, name: string, parentCode?: string) => cmd('RegisterBureau', { code, name, ...(parentCode ? { parentCode } : {}) });

const zhejiang = history(bureauRegistryDecider, [reg('330000', '浙江省科学技术厅'), reg('331000', '台州市科学技术局'), reg('331100', '丽水市科学技术局')]);

t.test('codes: level, default parent, derived path, province', async (t) => {
  t.equal(bureauLevel('330000'), 'province');
  t.equal(bureauLevel('331000'), 'city');
  t.equal(bureauLevel('331002'), 'county');
  t.equal(bureauLevel('331081'), 'county', 'a county-level city (温岭市) is county level');
  t.equal(defaultParent('331002'), '331000');
  t.equal(defaultParent('331000'), '330000');
  t.equal(defaultParent('330000'), null);
  t.equal(derivedPath('331002'), '330000.331000.331002');
  t.equal(derivedPath(LEGACY_BUREAU_CODE), '330000.331000');
  t.equal(provinceOf('331002'), '330000');
  t.ok(BureauCode.safeParse('331002').success);
  for (const bad of ['031000', '33100', '3310000', '33100a', ' 331000', '331000\n']) t.notOk(BureauCode.safeParse(bad).success, bad);
  t.ok(isPathWithin('330000.331000.331002', '330000.331000'));
  t.ok(isPathWithin('330000.331000', '330000.331000'));
  t.notOk(isPathWithin('330000.331000', '330000.331000.331002'), 'a scope does not see above itself');
  t.notOk(isPathWithin('330000.3310001', '330000.331000'), 'a prefix of digits is not a parent');
});

t.test('RegisterBureau: under the default or a named parent, registered, higher, same province, not merged', async (t) => {
  given([]).when(reg('330000', '浙江省科学技术厅')).then(t, [{ type: 'BureauRegistered', data: { code: '330000', level: 'province', parentCode: null, path: '330000', registeredOn: '2024-01-02' } }]);
  given([]).when(reg('331000', '台州市科学技术局')).then(t, 'BUREAU_PARENT_INVALID');
  given(zhejiang).when(reg('331002', '椒江区科学技术局')).then(t, [{ type: 'BureauRegistered', data: { code: '331002', level: 'county', parentCode: '331000', path: '330000.331000.331002' } }]);
  given(zhejiang).when(reg('331081', '温岭市科学技术局', '330000')).then(t, [{ type: 'BureauRegistered', data: { parentCode: '330000', path: '330000.331081' } }]);
  given(zhejiang).when(reg('331002', '椒江区科学技术局', '331100')).then(t, [{ type: 'BureauRegistered', data: { parentCode: '331100', path: '330000.331100.331002' } }]);
  given(zhejiang).when(reg('331102', '莲都区', '320000')).then(t, 'BUREAU_PARENT_INVALID');
  given(zhejiang).when(reg('330100', '杭州市科学技术局', '331000')).then(t, 'BUREAU_PARENT_INVALID');
  given(zhejiang).when(reg('330000', '浙江省', '330000')).then(t, 'ALREADY_EXISTS');
  given(zhejiang).when(reg('310000', '上海市科委', '330000')).then(t, 'BUREAU_PARENT_INVALID');
  given(zhejiang).when(reg('331000', '台州市科技局')).then(t, 'ALREADY_EXISTS');
  given(zhejiang).when(reg('331000', '台州市科学技术局')).then(t, []);
  given(zhejiang).when({ ...reg('331002', '椒江'), actor: officer }).then(t, 'ROLE_NOT_ALLOWED');
  const withCounty = history(bureauRegistryDecider, [reg('331002', '椒江区科学技术局')], zhejiang);
  given(withCounty).when(reg('331003', '黄岩', '331002')).then(t, 'BUREAU_PARENT_INVALID');
});

t.test('RenameBureau and MergeBureau', async (t) => {
  const counties = history(bureauRegistryDecider, [reg('331002', '椒江区科学技术局'), reg('331003', '黄岩区科学技术局')], zhejiang);
  given(counties).when(cmd('RenameBureau', { code: '331002', name: '椒江区科技局' })).then(t, [{ type: 'BureauRenamed', data: { name: '椒江区科技局', previousName: '椒江区科学技术局' } }]);
  given(counties).when(cmd('RenameBureau', { code: '331002', name: '椒江区科学技术局' })).then(t, []);
  given(counties).when(cmd('RenameBureau', { code: '331004', name: '路桥' })).then(t, 'BUREAU_NOT_FOUND');
  given(counties).when(cmd('MergeBureau', { code: '331003', into: '331002' })).then(t, [{ type: 'BureauMerged', data: { code: '331003', into: '331002', path: '330000.331000.331002.331003' } }]);
  given(counties).when(cmd('MergeBureau', { code: '331003', into: '331003' })).then(t, 'BUREAU_PARENT_INVALID');
  given(counties).when(cmd('MergeBureau', { code: '331000', into: '331100' })).then(t, 'BUREAU_HAS_CHILDREN');
  given(counties).when(cmd('MergeBureau', { code: '331000', into: '331002' })).then(t, 'BUREAU_PARENT_INVALID');
  const merged = history(bureauRegistryDecider, [cmd('MergeBureau', { code: '331003', into: '331002' })], counties);
  given(merged).when(cmd('MergeBureau', { code: '331003', into: '331002' })).then(t, []);
  given(merged).when(cmd('MergeBureau', { code: '331003', into: '331000' })).then(t, 'BUREAU_MERGED');
  given(merged).when(cmd('MergeBureau', { code: '331002', into: '331000' })).then(t, 'BUREAU_HAS_CHILDREN');
  given(merged).when(reg('331004', '路桥', '331003')).then(t, 'BUREAU_MERGED');
  given(merged).when(cmd('RenameBureau', { code: '331003', name: '黄岩' })).then(t, 'BUREAU_MERGED');
  const directory = BureauDirectory.fromEvents(merged);
  t.ok(directory.isMerged('331003'));
  t.ok(directory.isWithin('331003', '331002'), 'the survivor sees the merged bureau');
  t.ok(directory.isWithin('331003', '331000'));
  t.notOk(directory.canAct('331003'));
  t.same(directory.childrenOf('331002'), ['331003']);
  t.same(directory.childrenOf('331000'), ['331002']);
});

t.test('BureauDirectory: legacy fallback, names, subtree', async (t) => {
  const empty = new BureauDirectory();
  t.equal(empty.pathOf(LEGACY_BUREAU_CODE), '330000.331000', 'the legacy bureau is placed with no registry event');
  t.ok(empty.isWithin('331002', '331000'));
  t.ok(empty.isWithin('331000', '330000'));
  t.notOk(empty.isWithin('331100', '331000'));
  t.ok(empty.canAct(LEGACY_BUREAU_CODE));
  t.notOk(empty.canAct('331100'), 'an unregistered bureau other than the legacy one cannot act');
  t.equal(empty.nameOf(LEGACY_BUREAU_CODE), undefined);
  t.match(empty.within(LEGACY_BUREAU_CODE), [{ code: '331000', registered: false, path: '330000.331000', parentCode: '330000' }]);
  const directory = BureauDirectory.fromEvents(history(bureauRegistryDecider, [reg('331002', '椒江区科学技术局'), cmd('RenameBureau', { code: '331000', name: '台州市科技局' })], zhejiang));
  t.equal(directory.nameOf('331000'), '台州市科技局');
  t.same(directory.within('331000').map((b) => b.code), ['331000', '331002']);
  t.same(directory.within('330000').map((b) => b.code), ['330000', '331000', '331002', '331100']);
  t.same(directory.within('331100').map((b) => b.code), ['331100']);
});

t.test('the registry events are in the domain event table and read back', async (t) => {
  for (const event of zhejiang) {
    t.equal(currentSchemaVersion[event.type], 1);
    t.same(parseEvent({ type: event.type, schemaVersion: 1, data: JSON.parse(JSON.stringify(event.data)) }), event);
  }
});

t.test('refusals explain themselves in Chinese first', async (t) => {
  try {
    bureauRegistryDecider.decide(cmd('RenameBureau', { code: '331004', name: '路桥' }), BureauDirectory.empty);
    t.fail('refused');
  } catch (err) {
    t.ok(isDomainError(err));
    t.match((err as Error).message, /^单位 331004 尚未登记/);
  }
});

/** A random sequence of registry commands over a small set of codes of one or two provinces. */
const codesArb = fc.constantFrom('330000', '320000', '331000', '331100', '320100', '331002', '331003', '331081', '331102', '320102');
const commandArb: fc.Arbitrary<BureauCommand> = fc.oneof(
  fc.record({ code: codesArb, parent: fc.option(codesArb, { nil: undefined }), name: fc.constantFrom('甲', '乙') }).map(({ code, parent, name }) => reg(code, name, parent)),
  fc.record({ code: codesArb, name: fc.constantFrom('甲', '乙', '丙') }).map(({ code, name }) => cmd('RenameBureau', { code, name })),
  fc.record({ code: codesArb, into: codesArb }).map(({ code, into }) => cmd('MergeBureau', { code, into })),
);

t.test('property: whatever is accepted, the registry stays consistent', async (t) => {
  fc.assert(
    fc.property(fc.array(commandArb, { maxLength: 40 }), (commands) => {
      let state = bureauRegistryDecider.initialState;
      const events: BureauEvent[] = [];
      const mergedTimes = new Map<string, number>();
      for (const command of commands) {
        let produced: BureauEvent[];
        try {
          produced = bureauRegistryDecider.decide(command, state);
        } catch (err) {
          if (!isDomainError(err)) throw err;
          continue;
        }
        for (const event of produced) {
          if (event.type === 'BureauRegistered' && Object.hasOwn(state.bureaus, event.data.code)) throw new Error(`${event.data.code} registered twice`);
          if (event.type === 'BureauMerged') mergedTimes.set(event.data.code, (mergedTimes.get(event.data.code) ?? 0) + 1);
          state = bureauRegistryDecider.evolve(state, event);
          events.push(event);
        }
      }
      const directory = new BureauDirectory(state);
      for (const [code, times] of mergedTimes) if (times > 1) throw new Error(`${code} merged ${times} times`);
      for (const entry of directory.all()) {
        // paths consistent: a bureau's path is its current parent's path + its code, and the parent is registered
        const parent = entry.mergedInto ?? entry.parentCode;
        if (parent === null) {
          if (entry.level !== 'province' || entry.path !== entry.code) throw new Error(`bad root ${JSON.stringify(entry)}`);
          continue;
        }
        const parentEntry = directory.entry(parent);
        if (parentEntry === undefined) throw new Error(`${entry.code}: parent ${parent} not registered`);
        if (entry.path !== `${parentEntry.path}.${entry.code}`) throw new Error(`${entry.code}: path ${entry.path} not under ${parentEntry.path}`);
        if (provinceOf(parent) !== provinceOf(entry.code)) throw new Error(`${entry.code}: parent in another province`);
        if (entry.mergedInto === null && parentEntry.level === entry.level) throw new Error(`${entry.code}: parent not higher`);
        if (entry.mergedInto === null && parentEntry.level === 'county') throw new Error(`${entry.code}: a county as parent`);
        if (parentEntry.mergedInto !== null) throw new Error(`${entry.code}: under merged ${parent}`);
        if (!directory.isWithin(entry.code, parent)) throw new Error('within');
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass('300 random registries stayed consistent');
});
