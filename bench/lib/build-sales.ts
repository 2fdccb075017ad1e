/**
 * The sales tables of the benchmark data (issue 4): pipelines with their stages, products,
 * opportunities with their stage history, and leads. Like build.ts, each table of each tenant draws
 * from its own seeded stream, rows come in creation order as COPY text lines, and "now" is
 * DATA_END: deals whose close date is later are still open, the others are won or lost.
 */
import {
  AccountGenerator,
  ContactGenerator,
  DATA_END,
  DATA_START,
  esc,
  FIRST_NAMES,
  INDUSTRIES,
  iso,
  NULL,
  spreadTime,
  SURNAMES,
  type TableGenerator,
} from './build.js';
import { Prng, uuidv7, Weighted } from './prng.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Columns = readonly (readonly [string, string])[];

export const PIPELINE_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['name', 'text'],
  ['description', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const STAGE_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['pipeline_id', 'uuid'],
  ['name', 'text'],
  ['position', 'integer'],
  ['probability', 'integer'],
  ['category', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const PRODUCT_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['sku', 'text'],
  ['name', 'text'],
  ['unit_price', 'numeric(20,2)'],
  ['currency', 'char(3)'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const OPPORTUNITY_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['name', 'text'],
  ['account_id', 'uuid'],
  ['pipeline_id', 'uuid'],
  ['stage_id', 'uuid'],
  ['amount', 'numeric(20,2)'],
  ['currency', 'char(3)'],
  ['close_date', 'timestamptz'],
  ['probability', 'integer'],
  ['forecast_category', 'text'],
  ['owner_id', 'uuid'],
  ['loss_reason', 'text'],
  ['source', 'text'],
  ['closed_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const STAGE_HISTORY_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['opportunity_id', 'uuid'],
  ['from_stage_id', 'uuid'],
  ['to_stage_id', 'uuid'],
  ['changed_at', 'timestamptz'],
  ['changed_by', 'uuid'],
  ['seconds_in_from_stage', 'double precision'],
];

export const LEAD_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['email', 'text'],
  ['title', 'text'],
  ['company', 'text'],
  ['industry', 'text'],
  ['employees', 'integer'],
  ['source', 'text'],
  ['status', 'text'],
  ['rating', 'text'],
  ['score', 'integer'],
  ['owner_id', 'uuid'],
  ['converted_account_id', 'uuid'],
  ['converted_contact_id', 'uuid'],
  ['converted_opportunity_id', 'uuid'],
  ['converted_at', 'timestamptz'],
  ['converted_by', 'uuid'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

// Pipelines and stages ----------------------------------------------------------------------

/** Open stages (in order), then won, then lost: six per pipeline. */
const PIPELINES = [
  {
    name: 'New business',
    description: 'First deals with new customers.',
    share: 0.7,
    stages: [
      ['Qualification', 10],
      ['Discovery', 25],
      ['Proposal', 50],
      ['Negotiation', 75],
      ['Closed won', 100],
      ['Closed lost', 0],
    ],
  },
  {
    name: 'Renewals',
    description: 'Renewals and expansions of existing contracts.',
    share: 0.3,
    stages: [
      ['Renewal due', 20],
      ['Quote sent', 50],
      ['Verbal yes', 80],
      ['Contracting', 90],
      ['Renewed', 100],
      ['Churned', 0],
    ],
  },
] as const;
export const OPEN_STAGES = 4;
const WON = 4;
const LOST = 5;
const category = (position: number) => (position === WON ? 'won' : position === LOST ? 'lost' : 'open');

/** A tenant's two pipelines and their six stages each (pipelines first, then stages). */
export class PipelineSet {
  readonly pipelineIds: string[] = [];
  /** stage ids per pipeline, by position - 1 */
  readonly stageIds: string[][] = [];
  readonly pipelineLines: string[] = [];
  readonly stageLines: string[] = [];

  constructor(seed: number, tenantIndex: number) {
    const p = new Prng(seed, `pipelines/${tenantIndex}`);
    PIPELINES.forEach((def, k) => {
      const at = DATA_START - DAY + k * 60_000;
      const id = uuidv7(at, p);
      this.pipelineIds.push(id);
      this.pipelineLines.push([id, def.name, def.description, iso(at), iso(at)].join('\t') + '\n');
      const stages: string[] = [];
      def.stages.forEach(([name, probability], s) => {
        const stageAt = at + (s + 1) * 1000;
        const stageId = uuidv7(stageAt, p);
        stages.push(stageId);
        this.stageLines.push(
          [stageId, id, name, s + 1, probability, category(s), iso(stageAt), iso(stageAt)].join('\t') + '\n',
        );
      });
      this.stageIds.push(stages);
    });
  }

  probability(pipeline: number, position: number): number {
    return PIPELINES[pipeline]!.stages[position]![1];
  }
}

/** A generator over ready-made lines (the few rows of pipelines and stages). */
export class LinesGenerator implements TableGenerator {
  done = 0;
  readonly count: number;

  constructor(private readonly lines: readonly string[]) {
    this.count = lines.length;
  }

  nextLine(): string {
    return this.lines[this.done++]!;
  }
}

// Products ----------------------------------------------------------------------------------

const PRODUCT_LINES = [
  'Platform',
  'Analytics',
  'Connect',
  'Insights',
  'Automate',
  'Secure',
  'Mobile',
  'Cloud',
];
const PRODUCT_EDITIONS = ['Starter', 'Team', 'Business', 'Enterprise', 'Add-on', 'Support', 'Training'];
const CURRENCY = new Weighted<string>([
  ['USD', 70],
  ['EUR', 20],
  ['GBP', 10],
]);

export class ProductGenerator implements TableGenerator {
  private readonly prng: Prng;
  done = 0;

  constructor(
    seed: number,
    tenantIndex: number,
    readonly count: number,
  ) {
    this.prng = new Prng(seed, `products/${tenantIndex}`);
  }

  nextLine(): string {
    const p = this.prng;
    const i = this.done++;
    const at = DATA_START - DAY + 3_600_000 + i * 1000;
    const name = `${PRODUCT_LINES[i % PRODUCT_LINES.length]} ${PRODUCT_EDITIONS[Math.floor(i / PRODUCT_LINES.length) % PRODUCT_EDITIONS.length]}`;
    return (
      [
        uuidv7(at, p),
        `SKU-${String(i + 1).padStart(4, '0')}`,
        i < PRODUCT_LINES.length * PRODUCT_EDITIONS.length ? name : `${name} ${i}`,
        `${p.range(5, 2000) * 10}.00`,
        CURRENCY.pick(p),
        iso(at),
        iso(at),
      ].join('\t') + '\n'
    );
  }
}

// Opportunities and their stage history -------------------------------------------------------

const DEAL_KINDS = ['New seats', 'Expansion', 'Pilot', 'Platform deal', 'Upgrade', 'Multi-year', 'Add-on'];
const LOSS_REASONS = ['price', 'competitor', 'no budget', 'timing', 'no decision'];
const SOURCES = new Weighted<string | null>([
  ['Web', 25],
  ['Referral', 15],
  ['Event', 10],
  ['Partner', 10],
  ['Outbound', 25],
  [null, 15],
]);
/** Open deals' forecast category by open stage (0-based): later stages are more often commit. */
const FORECAST = [0, 1, 2, 3].map(
  (s) =>
    new Weighted<string>([
      ['pipeline', 6 - s],
      ['bestCase', 2],
      ['commit', s],
    ]),
);
/** Most history entries a deal has: its open stages (up to 3 for a closed one) and the close. */
const MAX_ENTRIES = 4;

/**
 * Opportunities: created evenly over the data period, closing 14–180 days later. A deal closing
 * before DATA_END is closed (won more often the further it got), else open in the stage it has
 * reached; it went through its open stages in order, so it has 1–4 stage-history entries.
 * Remembers each deal's path for StageHistoryGenerator.
 */
export class OpportunityGenerator implements TableGenerator {
  readonly ids: string[] = [];
  /** per deal: pipeline index, history entries, owner index; entry times (ms) MAX_ENTRIES apart */
  readonly pipeline: Uint8Array;
  readonly entries: Uint8Array;
  readonly outcome: Uint8Array; // 0 open, 1 won, 2 lost
  readonly owner: Uint8Array;
  readonly times: Float64Array;
  readonly created: Float64Array;
  private readonly prng: Prng;
  done = 0;

  constructor(
    seed: number,
    tenantIndex: number,
    readonly count: number,
    private readonly pipelines: PipelineSet,
    private readonly accounts: AccountGenerator,
    private readonly ownerIds: readonly string[],
  ) {
    this.prng = new Prng(seed, `opportunities/${tenantIndex}`);
    this.pipeline = new Uint8Array(count);
    this.entries = new Uint8Array(count);
    this.outcome = new Uint8Array(count);
    this.owner = new Uint8Array(count);
    this.times = new Float64Array(count * MAX_ENTRIES);
    this.created = new Float64Array(count);
  }

  /** Stage-history rows of all the deals (known once every deal is generated). */
  historyRows(): number {
    let n = 0;
    for (let i = 0; i < this.done; i++) n += this.entries[i]!;
    return n;
  }

  stageAt(i: number, entry: number): number {
    const last = this.entries[i]! - 1;
    if (entry === last && this.outcome[i] !== 0) return this.outcome[i] === 1 ? WON : LOST;
    return entry;
  }

  nextLine(): string {
    const p = this.prng;
    const i = this.done++;
    const created = spreadTime(i, this.count, p);
    const id = uuidv7(created, p);
    const pipeline = p.chance(PIPELINES[0].share) ? 0 : 1;
    const closeDate = created + p.range(14, 180) * DAY + p.int(DAY);
    const open = closeDate >= DATA_END;
    // open stages reached: 1–4 while open; 1–3 before closing (the close is one more entry)
    const reached = 1 + p.int(open ? OPEN_STAGES : OPEN_STAGES - 1);
    const won = !open && p.chance(0.2 + 0.15 * reached);
    const closedAt = open ? null : Math.min(DATA_END - 1, closeDate - p.int(7 * DAY));
    const end = closedAt ?? DATA_END - 1;
    const entries = reached + (open ? 0 : 1);
    // entry k of `reached` open stages at a jittered k/reached of the way; the close at the end
    for (let k = 0; k < reached; k++)
      this.times[i * MAX_ENTRIES + k] =
        k === 0 ? created : created + Math.floor(((end - created) * (k - 0.5 + 0.5 * p.float())) / reached);
    if (!open) this.times[i * MAX_ENTRIES + reached] = end;
    this.pipeline[i] = pipeline;
    this.entries[i] = entries;
    this.outcome[i] = open ? 0 : won ? 1 : 2;
    this.created[i] = created;
    const ownerIndex = p.int(this.ownerIds.length);
    this.owner[i] = ownerIndex;
    this.ids.push(id);
    const position = this.stageAt(i, entries - 1);
    const hasAmount = p.chance(0.97);
    // log-uniform 1,000 – 200,000
    const amount = hasAmount
      ? `${Math.round(Math.exp(Math.log(1000) + p.float() * Math.log(200)))}.00`
      : NULL;
    const currency = hasAmount ? CURRENCY.pick(p) : NULL;
    const forecast = open ? FORECAST[position]!.pick(p) : won ? 'closed' : 'omitted';
    const account =
      this.accounts.count > 0 && p.chance(0.9)
        ? this.accounts.ids[p.int(Math.max(1, Math.ceil((this.accounts.count * (i + 1)) / this.count)))]!
        : NULL;
    const source = SOURCES.pick(p);
    const updated = open ? this.times[i * MAX_ENTRIES + reached - 1]! : end;
    return (
      [
        id,
        esc(`${p.pick(DEAL_KINDS)} ${i + 1}`),
        account,
        this.pipelines.pipelineIds[pipeline]!,
        this.pipelines.stageIds[pipeline]![position]!,
        amount,
        currency,
        iso(closeDate),
        this.pipelines.probability(pipeline, position),
        forecast,
        this.ownerIds[ownerIndex]!,
        this.outcome[i] === 2 ? p.pick(LOSS_REASONS) : NULL,
        source ?? NULL,
        closedAt === null ? NULL : iso(closedAt),
        iso(created),
        iso(updated),
      ].join('\t') + '\n'
    );
  }
}

/** The stage history of every generated opportunity, deal by deal, oldest entry first. */
export class StageHistoryGenerator implements TableGenerator {
  readonly count: number;
  done = 0;
  private deal = 0;
  private entry = 0;
  private readonly prng: Prng;

  constructor(
    seed: number,
    tenantIndex: number,
    private readonly deals: OpportunityGenerator,
    private readonly pipelines: PipelineSet,
    private readonly ownerIds: readonly string[],
  ) {
    this.prng = new Prng(seed, `stage-history/${tenantIndex}`);
    this.count = deals.historyRows();
  }

  nextLine(): string {
    const d = this.deals;
    while (this.entry >= d.entries[this.deal]!) {
      this.deal++;
      this.entry = 0;
    }
    const i = this.deal;
    const k = this.entry++;
    this.done++;
    const stages = this.pipelines.stageIds[d.pipeline[i]!]!;
    const at = d.times[i * MAX_ENTRIES + k]!;
    const before = k === 0 ? null : d.times[i * MAX_ENTRIES + k - 1]!;
    return (
      [
        uuidv7(at, this.prng),
        d.ids[i]!,
        k === 0 ? NULL : stages[d.stageAt(i, k - 1)]!,
        stages[d.stageAt(i, k)]!,
        iso(at),
        this.ownerIds[d.owner[i]!]!,
        before === null ? NULL : ((at - before) / 1000).toFixed(3),
      ].join('\t') + '\n'
    );
  }
}

// Leads ---------------------------------------------------------------------------------------

const LEAD_STATUS = new Weighted<string>([
  ['new', 25],
  ['working', 25],
  ['nurturing', 15],
  ['qualified', 10],
  ['unqualified', 25],
]);
const RATINGS = ['hot', 'warm', 'cold'];
const COMPANY_WORDS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Tyrell',
];
const LEAD_TITLES = ['CEO', 'CTO', 'VP Sales', 'Head of Operations', 'IT Director', 'Buyer', 'Founder'];

/**
 * Leads: created evenly over the period; a fifth are converted 1–45 days later (if that is before
 * DATA_END), six in ten of those with an opportunity created before the conversion.
 */
export class LeadGenerator implements TableGenerator {
  private readonly prng: Prng;
  done = 0;

  constructor(
    seed: number,
    tenantIndex: number,
    readonly count: number,
    private readonly accounts: AccountGenerator,
    private readonly contacts: ContactGenerator,
    private readonly deals: OpportunityGenerator,
    private readonly ownerIds: readonly string[],
  ) {
    this.prng = new Prng(seed, `leads/${tenantIndex}`);
  }

  /** An index below `n` among the first (i+1)/count of them: something created before row i. */
  private earlier(n: number, i: number): number {
    return this.prng.int(Math.max(1, Math.ceil((n * (i + 1)) / this.count)));
  }

  nextLine(): string {
    const p = this.prng;
    const i = this.done++;
    const created = spreadTime(i, this.count, p);
    const first = p.pick(FIRST_NAMES);
    const last = p.pick(SURNAMES);
    const company = `${p.pick(COMPANY_WORDS)} ${p.pick(INDUSTRIES)}`;
    const convertedAt = created + p.range(1, 45) * DAY + p.int(DAY);
    const converted = p.chance(0.2) && convertedAt < DATA_END;
    const owner = p.pick(this.ownerIds);
    let links = [NULL, NULL, NULL];
    if (converted) {
      const account =
        this.accounts.count > 0 ? this.accounts.ids[this.earlier(this.accounts.count, i)]! : NULL;
      const contact =
        this.contacts.count > 0 ? this.contacts.ids[this.earlier(this.contacts.count, i)]! : NULL;
      const deal =
        this.deals.count > 0 && p.chance(0.6) ? this.deals.ids[this.earlier(this.deals.count, i)]! : NULL;
      links = [account, contact, deal];
    }
    return (
      [
        uuidv7(created, p),
        first,
        last,
        `${first.toLowerCase()}.${last.toLowerCase()}${i}@lead${i % 97}.example`,
        p.pick(LEAD_TITLES),
        esc(company),
        p.pick(INDUSTRIES),
        p.range(1, 5000),
        SOURCES.pick(p) ?? NULL,
        converted ? 'converted' : LEAD_STATUS.pick(p),
        p.chance(0.6) ? p.pick(RATINGS) : NULL,
        p.range(0, 100),
        owner,
        ...links,
        converted ? iso(convertedAt) : NULL,
        converted ? owner : NULL,
        iso(created),
        iso(converted ? convertedAt : created),
      ].join('\t') + '\n'
    );
  }
}

/** The quarter (`2026-Q4`) that holds DATA_END's last instant: open deals close in it, recent ones were won in it. */
export function currentQuarter(): string {
  const d = new Date(DATA_END - 1);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/**
 * The pipeline summary's window: the month before the data's last one (September 2026), so that its
 * deals have a month of history after it. ~18,000 stage entries of the measured tenant's first
 * pipeline at full size; a quarter has three times as many, and the statement's cost grows with
 * them (docs/sales.md#pipeline-summary).
 */
export function summaryMonth(): { from: string; to: string } {
  const last = new Date(DATA_END - 1);
  const month = (k: number) =>
    new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + k, 1)).toISOString();
  return { from: month(-1), to: month(0) };
}
