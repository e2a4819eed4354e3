import {
  addDays,
  annualSummary,
  BUREAU_REGISTRY_STREAM,
  bureauRegistryDecider,
  LEGACY_BUREAU_CODE,
  programmeSnapshot,
  r3Ledger,
  taizhouPolicy,
  type Actor,
  type BureauRegistryState,
  type ProgrammeState,
} from '@gongguan/domain';
import { on, onAnnualSummary, onProgramme, onR3Ledger } from './commands.js';
import { counties as taizhouCounties, creditCode, enterprise, industries, surnames, type Enterprise } from './catalogue.js';
import { happened, type StoryContext } from './context.js';
import { cities as zhejiangCities, departmentName, province as zhejiang, type CityDivision, type Division } from './divisions.js';
import { pay } from './money-steps.js';
import { bureauOfLedger, projectStory } from './project-story.js';
import { seededRandom } from './random.js';
import { World, type GeneratedAppend } from './world.js';

export interface ProvinceOptions {
  /** Same seed, same province (ids, amounts, dates, event ids). */
  seed?: number;
  /** How many projects are submitted in all; default 300. */
  projects?: number;
  /** Stop once this many events were produced (for benchmarks); default no limit. */
  maxEvents?: number;
  firstYear?: number;
  /** Put before programme (and so project) ids, to load a second province beside a first (its cities' annual summaries are the first's: none are written). */
  idPrefix?: string;
  /** The simulated today: nothing after it has happened; default June 30 of firstYear + 7. */
  today?: string;
  /**
   * The cities whose bureaus (and their counties') run programmes: GB/T 2260 codes of Zhejiang's
   * cities (`divisions.ts`), or `'all'` (11 cities, 90 counties). Default `['331000']`: the
   * Taizhou demo, the city and its nine counties.
   */
  cities?: readonly string[] | 'all';
  /** At most this many county-level bureaus of each city run programmes (the first in code order); default all. */
  countiesPerCity?: number;
  /**
   * The registry already in the store (`loadProvince` reads it): bureaus registered there are not
   * registered again, so a province loads beside another (or twice) on one registry stream.
   */
  registry?: { state: BureauRegistryState; revision: number };
}

/** `pnpm seed`'s default: a small province, three cities and three counties of each (still seconds to load). */
export const demoProvince = { cities: ['331000', '331100', '330300'], countiesPerCity: 3 } as const satisfies ProvinceOptions;

/**
 * `pnpm seed --province`: all of Zhejiang (11 cities, 90 counties), ten years of programmes
 * (2016–2025, today 2025-06-30) and enough projects for more than 3 million events.
 */
export const fullProvince = { cities: 'all', firstYear: 2016, today: '2025-06-30', projects: 120_000 } as const satisfies ProvinceOptions;

export type { GeneratedAppend } from './world.js';

const people = (prefix: string, role: Actor['role'], n: number): Actor[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${String(i + 1).padStart(2, '0')}`, role }));

/** A bureau that runs programmes: its code, its department's name, who works there, its programme ids' prefix. */
interface Scope {
  code: string;
  name: string;
  department: string;
  /** Programme ids: `<idCode>-<year>` (`tz`, `c1`…`c9` for the Taizhou demo, as before bureaus; the code otherwise). */
  idCode: string;
  ctx: StoryContext;
  /** The city this bureau is or lies in. */
  city: CityDivision;
  /** Where its applicants come from: a county's own enterprises; for a city, every enterprise of its counties. */
  enterprises: Enterprise[];
  /** Every enterprise of its city's counties (partners). */
  cityEnterprises: Enterprise[];
}

/** The divisions to generate: the chosen cities, each with its first `countiesPerCity` counties. */
export function provinceDivisions(options: Pick<ProvinceOptions, 'cities' | 'countiesPerCity'> = {}): CityDivision[] {
  const wanted = options.cities ?? [LEGACY_BUREAU_CODE];
  const chosen = wanted === 'all' ? [...zhejiangCities] : wanted.map((code) => {
    const city = zhejiangCities.find((c) => c.code === code);
    if (city === undefined) throw new Error(`${code} is not a city of ${zhejiang.name} (divisions.ts)`);
    return city;
  });
  return chosen.map((city) => ({ ...city, counties: city.counties.slice(0, options.countiesPerCity ?? city.counties.length) }));
}

/**
 * Registers the province, then each city, then its counties, as their admins would (the province's
 * admin the province and the cities, each city's admin its counties), through the registry's decider.
 */
function registerBureaus(world: World, divisions: readonly CityDivision[], registeredOn: string): void {
  const register = (admin: string, division: Division) => {
    const refused = world.exec(
      bureauRegistryDecider,
      BUREAU_REGISTRY_STREAM,
      { type: 'RegisterBureau', actor: { id: `admin-${admin}`, role: 'admin' }, at: on(registeredOn), data: { code: division.code, name: departmentName(division), registeredOn } },
      registeredOn,
    );
    // Registered before (by a province loaded earlier) under another name: that registration stands.
    if (typeof refused === 'string' && refused !== 'ALREADY_EXISTS') throw new Error(`generator bug: registering ${division.code} refused with ${refused}`);
  };
  register(zhejiang.code, zhejiang);
  for (const city of divisions) register(zhejiang.code, city);
  for (const city of divisions) for (const county of city.counties) register(city.code, county);
}

/**
 * A realistic province: its bureaus registered (province, cities, counties); each year a programme
 * of every city and one of each of its counties, their solicitations, projects across the local
 * industries with full lifecycles as far as `today` (applicants of a city's programme come from its
 * counties, and their county bureau may recommend them), the money (R1 grants, bank-paid conversion
 * contracts with R2 subsidies under the yearly cap of the programme's bureau, each city's R3
 * transfer subsidies), all through the domain's deciders. Yields appends in an order that keeps
 * each stream's revisions consecutive; streams are independent of each other.
 */
export function* generateProvince(options: ProvinceOptions = {}): Generator<GeneratedAppend[], { events: number; projects: number }> {
  const random = seededRandom(options.seed ?? 20180717);
  const world = new World(random);
  const firstYear = options.firstYear ?? 2018;
  const today = options.today ?? `${firstYear + 7}-06-30`;
  const lastYear = Number(today.slice(0, 4));
  const totalProjects = options.projects ?? 300;
  const divisions = provinceDivisions(options);
  const countyCount = divisions.reduce((n, city) => n + city.counties.length, 0);
  const universities = Array.from({ length: 12 }, () => creditCode(random, '331000', '1', '2'));
  const base: StoryContext = {
    world,
    random,
    today,
    officers: people('officer', 'officer', 12),
    approvers: people('approver', 'approver', 4),
    finance: people('finance', 'finance', 6),
    reviewers: Array.from({ length: 60 }, (_, i) => ({
      id: `expert-${String(i + 1).padStart(3, '0')}`,
      role: 'reviewer' as const,
      name: `${random.pick(surnames)}教授`,
      employerCreditCode: random.pick(universities),
    })),
    bankSerial: { n: 0, prefix: String(options.seed ?? 20180717) },
  };
  // The legacy bureau (Taizhou) keeps the demo's people; every other bureau has its own.
  const staff = (code: string, city: boolean): StoryContext =>
    code === LEGACY_BUREAU_CODE
      ? base
      : { ...base, officers: people(`officer-${code}`, 'officer', city ? 6 : 3), approvers: people(`approver-${code}`, 'approver', city ? 3 : 2), finance: people(`finance-${code}`, 'finance', city ? 4 : 3) };

  // The registry has dice of its own: whether its events are written now or were before, the
  // rest of the province (its event ids included) is the same.
  const registry = new World(seededRandom(((options.seed ?? 20180717) ^ 0x5eed_b0de) >>> 0));
  if (options.registry !== undefined) registry.preload(BUREAU_REGISTRY_STREAM, options.registry.state, options.registry.revision);
  registerBureaus(registry, divisions, `${firstYear - 1}-12-01`);
  const registered = registry.flush();
  if (registered.length > 0) yield registered;

  // Each county's enterprises (as many in all as 0.6 per project); a city's are its counties'.
  const perCounty = Math.max(4, Math.ceil((totalProjects * 0.6) / Math.max(1, countyCount)));
  let enterpriseNo = 0;
  // Transfer institutions (R3) of each city: five, fewer in a small province (one per 60 projects of the city).
  const institutionsPerCity = Math.max(1, Math.min(5, Math.round(totalProjects / (60 * divisions.length))));
  const scopesByCity = divisions.map((city) => {
    if (city.counties.length === 0) throw new Error(`${city.code}: a city needs at least one county (countiesPerCity ≥ 1)`);
    const cityEnterprises: Enterprise[] = [];
    const taizhou = city.code === LEGACY_BUREAU_CODE;
    const counties: Scope[] = city.counties.map((county) => {
      const demoIndex = taizhouCounties.findIndex((c) => c.code === county.code);
      return {
        code: county.code,
        name: county.name,
        department: departmentName(county),
        idCode: taizhou && demoIndex >= 0 ? `c${demoIndex + 1}` : county.code,
        ctx: staff(county.code, false),
        city,
        enterprises: Array.from({ length: perCounty }, () => enterprise(random, ++enterpriseNo, county)),
        cityEnterprises,
      };
    });
    cityEnterprises.push(...counties.flatMap((c) => c.enterprises));
    const cityScope: Scope = {
      code: city.code,
      name: city.name,
      department: departmentName(city),
      idCode: taizhou ? 'tz' : city.code,
      ctx: staff(city.code, true),
      city,
      enterprises: cityEnterprises,
      cityEnterprises,
    };
    return { city, cityScope, counties, institutions: Array.from({ length: institutionsPerCity }, () => creditCode(random, city.code)) };
  });
  const countyScope = new Map(scopesByCity.flatMap((s) => s.counties.map((c) => [c.code, c] as const)));
  const scopes = scopesByCity.flatMap((s) => [s.cityScope, ...s.counties]);
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);
  const programmeCount = years.length * scopes.length;
  // Spread the projects evenly over every programme of every year: counted bureau by bureau (its
  // years in a row), so with fewer projects than programmes every bureau still gets its share.
  const share = (index: number) => Math.round(((index + 1) * totalProjects) / programmeCount) - Math.round((index * totalProjects) / programmeCount);
  let submitted = 0;

  // Each city's annual work summary to the province, due January 15 (seed 001): most on time, some
  // late, some never sent, so the province's list of late and missing summaries has something in
  // it. Dice of their own, like the registry's: the rest of the province stays as it was.
  const summaries = new World(seededRandom(((options.seed ?? 20180717) ^ 0x5a11_0115) >>> 0));
  const summaryDice = seededRandom(((options.seed ?? 20180717) ^ 0x0115_5a11) >>> 0);
  const summariesOf = (year: number) => {
    // A province loaded beside another (idPrefix) has the same cities: their summaries are the first's.
    if (options.idPrefix !== undefined) return [];
    for (const { cityScope } of scopesByCity) {
      const roll = summaryDice.int(0, 99);
      if (roll >= 90) continue;
      const submittedOn = roll < 75 ? `${year + 1}-01-${String(summaryDice.int(3, 15)).padStart(2, '0')}` : addDays(`${year + 1}-01-15`, summaryDice.int(1, 40));
      if (!happened(cityScope.ctx, submittedOn)) continue;
      onAnnualSummary(
        summaries,
        annualSummary.streamName(cityScope.code, year),
        'SubmitAnnualSummary',
        { bureauCode: cityScope.code, year, title: `${cityScope.name}${year}年度科技工作总结`, summary: `${year}年度重大技术攻关项目组织实施情况、资金使用情况和下一年度工作计划。`, submittedOn },
        summaryDice.pick(cityScope.ctx.officers),
        submittedOn,
      );
    }
    return summaries.flush();
  };
  const generated = () => registry.eventCount + summaries.eventCount + world.eventCount;

  for (const [yearIndex, year] of years.entries()) {
    if (yearIndex > 0) {
      const sent = summariesOf(year - 1);
      if (sent.length > 0) yield sent;
    }
    for (const [scopeIndex, scope] of scopes.entries()) {
      const perProgramme = share(scopeIndex * years.length + yearIndex);
      const programmeId = `${options.idPrefix ?? ''}${scope.idCode}-${year}`;
      const launch = `${year}-03-01`;
      if (!happened(scope.ctx, launch) || perProgramme === 0) continue;
      const ctx = scope.ctx;
      const officer = random.pick(ctx.officers);
      onProgramme(world, programmeId, 'LaunchProgramme', {
        programmeId,
        name: `${scope.name}${year}年度重大技术攻关项目`,
        bureau: scope.department,
        bureauCode: scope.code,
        quota: Math.max(1, Math.ceil(perProgramme * 0.45)),
        focusIndustries: industries.map((i) => i.name),
        policy: taizhouPolicy,
      }, officer, launch);
      const opensOn = `${year}-03-15`;
      const closesOn = `${year}-05-31`;
      onProgramme(world, programmeId, 'OpenSolicitation', { opensOn, closesOn }, officer, addDays(launch, 1));
      yield world.flush();
      const ofCity = scope.code === scope.city.code;
      for (let n = 1; n <= perProgramme; n++) {
        const submittedOn = addDays(opensOn, random.int(0, 77));
        if (!happened(ctx, submittedOn)) continue;
        const programmeState = world.state<ProgrammeState>(`programme-${programmeId}`);
        const snapshot = programmeState === undefined ? null : programmeSnapshot(programmeState);
        if (snapshot === null) throw new Error(`programme ${programmeId} was not launched`);
        const lead = random.pick(scope.enterprises);
        // A partner from anywhere in the city.
        let partner = random.pick(scope.cityEnterprises);
        while (partner.creditCode === lead.creditCode) partner = random.pick(scope.cityEnterprises);
        const industry = industries.find((i) => i.name === lead.industry) ?? industries[0];
        const projectId = `${programmeId}-${String(n).padStart(4, '0')}`;
        const county = countyScope.get(lead.countyCode);
        submitted++;
        projectStory(ctx, {
          projectId,
          programme: snapshot,
          lead,
          partner,
          submittedOn,
          title: `${random.pick(industry.topics)}关键技术攻关`,
          // The applicant's county bureau recommends it to its city's programme.
          ...(ofCity && county !== undefined ? { recommender: random.pick(county.ctx.officers) } : {}),
        });
        yield world.flush();
        world.forget(`project-${projectId}`);
        if (options.maxEvents !== undefined && generated() >= options.maxEvents) return { events: generated(), projects: submitted };
      }
      if (happened(ctx, `${year}-06-01`)) onProgramme(world, programmeId, 'CloseSolicitation', { closedOn: closesOn, reason: '征集期结束' }, officer, `${year}-06-01`);
    }
    for (const { cityScope, institutions } of scopesByCity) r3Year(cityScope, institutions, year);
    yield world.flush();
  }
  // The last year's summaries are due after the province's today unless it is past January 15.
  const last = summariesOf(lastYear);
  if (last.length > 0) yield last;
  return { events: generated(), projects: submitted };
}

/** A city's transfer institutions' in-city transactions of a year (R3, the city's cap), paid out the next January. */
function r3Year(city: Scope, institutions: readonly string[], year: number): void {
  const { ctx } = city;
  const { world, random } = ctx;
  for (const [i, code] of institutions.entries()) {
    const ledger = r3Ledger.streamName(city.code, code, year);
    const granted: string[] = [];
    for (let t = 1; t <= random.int(3, 12); t++) {
      const occurredOn = addDays(`${year}-01-05`, random.int(0, 350));
      if (!happened(ctx, occurredOn)) continue;
      const before = world.state<{ entitlement: number }>(ledger)?.entitlement ?? 0;
      const { r3RateBps, r3AnnualCap } = taizhouPolicy;
      onR3Ledger(world, ledger, 'RecordR3Transaction', {
        bureauCode: city.code,
        creditCode: code,
        year,
        policy: { r3RateBps, r3AnnualCap },
        transactionId: `t${t}`,
        amount: random.int(10, 300) * 1_000_000,
        occurredOn,
        inCity: true,
        description: `技术交易服务${t}`,
      }, random.pick(ctx.officers), occurredOn);
      if ((world.state<{ entitlement: number }>(ledger)?.entitlement ?? 0) > before) granted.push(`t${t}`);
    }
    // One disbursement per transaction that earned a subsidy: each pays its own ledger entry.
    for (const transactionId of granted) {
      pay(ctx, {
        disbursementId: `r3-${code}-${year}-${transactionId}`,
        entitlement: { rule: 'R3', ...bureauOfLedger(city.code), creditCode: code, year, transactionId },
        payee: { name: `${city.name.replace(/市$/, '')}技术转移中心${i + 1}`, creditCode: code },
        requestedOn: `${year + 1}-01-20`,
      });
    }
  }
}
