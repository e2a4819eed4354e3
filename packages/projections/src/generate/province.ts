import { addDays, LEGACY_BUREAU_CODE, programmeSnapshot, taizhouPolicy, type Actor, type ProgrammeState } from '@gongguan/domain';
import { onProgramme, onR3Ledger } from './commands.js';
import { counties, creditCode, enterprise, industries, surnames, type Enterprise } from './catalogue.js';
import { happened, type StoryContext } from './context.js';
import { pay } from './money-steps.js';
import { projectStory } from './project-story.js';
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
  /** Put before programme (and so project) ids, to load a second province beside a first. */
  idPrefix?: string;
  /** The simulated today: nothing after it has happened; default June 30 of firstYear + 7. */
  today?: string;
}

export type { GeneratedAppend } from './world.js';

const people = (prefix: string, role: Actor['role'], n: number): Actor[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${String(i + 1).padStart(2, '0')}`, role }));

/**
 * A realistic province: each year a city programme and one per county (Taizhou's nine), their
 * solicitations, projects across the local industries with full lifecycles as far as `today`,
 * the money (R1 grants, bank-paid conversion contracts with R2 subsidies under the yearly cap, R3
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
  const universities = Array.from({ length: 12 }, () => creditCode(random, '331000', '1', '2'));
  const ctx: StoryContext = {
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
  const enterprises: Enterprise[] = Array.from({ length: Math.max(20, Math.ceil(totalProjects * 0.6)) }, (_, i) => enterprise(random, i + 1));
  const institutions = Array.from({ length: 5 }, () => creditCode(random, '331000'));
  const scopes = [{ name: '台州市', code: 'tz' }, ...counties.map((c, i) => ({ name: c.name, code: `c${i + 1}` }))];
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);
  const programmeCount = years.length * scopes.length;
  // Spread the projects evenly over every programme of every year.
  const share = (index: number) => Math.round(((index + 1) * totalProjects) / programmeCount) - Math.round((index * totalProjects) / programmeCount);
  let submitted = 0;
  let programmeIndex = -1;

  for (const year of years) {
    for (const scope of scopes) {
      programmeIndex++;
      const perProgramme = share(programmeIndex);
      const programmeId = `${options.idPrefix ?? ''}${scope.code}-${year}`;
      const launch = `${year}-03-01`;
      if (!happened(ctx, launch) || perProgramme === 0) continue;
      const officer = random.pick(ctx.officers);
      onProgramme(world, programmeId, 'LaunchProgramme', {
        programmeId,
        name: `${scope.name}${year}年度重大技术攻关项目`,
        bureau: `${scope.name}科学技术局`,
        // Every programme of the generated city is the legacy bureau's until the generator writes a registry.
        bureauCode: LEGACY_BUREAU_CODE,
        quota: Math.max(1, Math.ceil(perProgramme * 0.45)),
        focusIndustries: industries.map((i) => i.name),
        policy: taizhouPolicy,
      }, officer, launch);
      const opensOn = `${year}-03-15`;
      const closesOn = `${year}-05-31`;
      onProgramme(world, programmeId, 'OpenSolicitation', { opensOn, closesOn }, officer, addDays(launch, 1));
      yield world.flush();
      for (let n = 1; n <= perProgramme; n++) {
        const submittedOn = addDays(opensOn, random.int(0, 77));
        if (!happened(ctx, submittedOn)) continue;
        const programmeState = world.state<ProgrammeState>(`programme-${programmeId}`);
        const snapshot = programmeState === undefined ? null : programmeSnapshot(programmeState);
        if (snapshot === null) throw new Error(`programme ${programmeId} was not launched`);
        const lead = random.pick(enterprises);
        let partner = random.pick(enterprises);
        while (partner.creditCode === lead.creditCode) partner = random.pick(enterprises);
        const industry = industries.find((i) => i.name === lead.industry) ?? industries[0];
        const projectId = `${programmeId}-${String(n).padStart(4, '0')}`;
        submitted++;
        projectStory(ctx, { projectId, programme: snapshot, lead, partner, submittedOn, title: `${random.pick(industry.topics)}关键技术攻关` });
        yield world.flush();
        world.forget(`project-${projectId}`);
        if (options.maxEvents !== undefined && world.eventCount >= options.maxEvents) return { events: world.eventCount, projects: submitted };
      }
      if (happened(ctx, `${year}-06-01`)) onProgramme(world, programmeId, 'CloseSolicitation', { closedOn: closesOn, reason: '征集期结束' }, officer, `${year}-06-01`);
    }
    r3Year(ctx, institutions, year);
    yield world.flush();
  }
  return { events: world.eventCount, projects: submitted };
}

/** Transfer institutions' in-city transactions of a year (R3), paid out the next January. */
function r3Year(ctx: StoryContext, institutions: readonly string[], year: number): void {
  const { world, random } = ctx;
  for (const [i, code] of institutions.entries()) {
    const ledger = `r3-${code}-${year}`;
    const granted: string[] = [];
    for (let t = 1; t <= random.int(3, 12); t++) {
      const occurredOn = addDays(`${year}-01-05`, random.int(0, 350));
      if (!happened(ctx, occurredOn)) continue;
      const before = world.state<{ entitlement: number }>(ledger)?.entitlement ?? 0;
      const { r3RateBps, r3AnnualCap } = taizhouPolicy;
      onR3Ledger(world, ledger, 'RecordR3Transaction', {
        bureauCode: LEGACY_BUREAU_CODE,
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
        entitlement: { rule: 'R3', creditCode: code, year, transactionId },
        payee: { name: `台州技术转移中心${i + 1}`, creditCode: code },
        requestedOn: `${year + 1}-01-20`,
      });
    }
  }
}
