/**
 * The service tables of the benchmark data (issue 5): case queues, knowledge articles, cases (with
 * their SLA figures and CSAT) and a sparse set of case comments. Like build.ts, each table of each
 * tenant draws from its own seeded stream, rows come in creation order as COPY text lines, and
 * "now" is DATA_END: a case whose resolution would come later is still open.
 */
import {
  AccountGenerator,
  ContactGenerator,
  DATA_END,
  DATA_START,
  iso,
  NULL,
  spreadTime,
  type TableGenerator,
} from './build.js';
import { Prng, uuidv7, Weighted } from './prng.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Columns = readonly (readonly [string, string])[];

export const CASE_QUEUE_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['name', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const ARTICLE_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['title', 'text'],
  ['body', 'text'],
  ['status', 'text'],
  ['tags', 'text[]'],
  ['published_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const CASE_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['number', 'text'],
  ['subject', 'text'],
  ['status', 'text'],
  ['priority', 'text'],
  ['channel', 'text'],
  ['contact_id', 'uuid'],
  ['account_id', 'uuid'],
  ['queue_id', 'uuid'],
  ['assignee_id', 'uuid'],
  ['first_response_due_at', 'timestamptz'],
  ['resolution_due_at', 'timestamptz'],
  ['first_responded_at', 'timestamptz'],
  ['resolved_at', 'timestamptz'],
  ['closed_at', 'timestamptz'],
  ['first_response_breached', 'boolean'],
  ['resolution_breached', 'boolean'],
  ['business_first_response_minutes', 'numeric(14,3)'],
  ['business_resolution_minutes', 'numeric(14,3)'],
  ['resolution_elapsed_minutes', 'numeric(14,3)'],
  ['csat_score', 'smallint'],
  ['csat_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const CASE_COMMENT_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['case_id', 'uuid'],
  ['body', 'text'],
  ['is_public', 'boolean'],
  ['author_id', 'uuid'],
  ['created_at', 'timestamptz'],
];

// Queues --------------------------------------------------------------------------------------

export const QUEUE_NAMES = ['Tier 1', 'Tier 2', 'Billing', 'Technical', 'Escalations'];

/** A tenant's queues (ids by position in QUEUE_NAMES) as ready-made COPY lines. */
export class QueueSet {
  readonly ids: string[] = [];
  readonly lines: string[] = [];

  constructor(seed: number, tenantIndex: number) {
    const p = new Prng(seed, `case-queues/${tenantIndex}`);
    QUEUE_NAMES.forEach((name, k) => {
      const at = DATA_START - DAY + 2 * HOUR + k * 1000;
      const id = uuidv7(at, p);
      this.ids.push(id);
      this.lines.push([id, name, iso(at), iso(at)].join('\t') + '\n');
    });
  }
}

// Topics shared by case subjects and articles, so that suggestions find something -----------------

export const TOPICS = [
  'invoice',
  'password',
  'login',
  'sso',
  'export',
  'dashboard',
  'notification',
  'import',
  'api',
  'mobile',
  'refund',
  'sync',
  'report',
  'permission',
  'webhook',
  'calendar',
  'upload',
  'search',
  'integration',
  'subscription',
];
const PROBLEMS = [
  'Cannot use',
  'Error with',
  'Question about',
  'Problem with',
  'Slow',
  'Broken',
  'Help with',
];
const DETAILS = ['after update', 'on Monday', 'for new users', 'since yesterday', 'in the browser', 'again'];
const ARTICLE_VERBS = ['How to fix', 'Troubleshoot', 'Set up', 'Understand', 'Configure', 'FAQ:'];
const ARTICLE_QUALIFIERS = [
  'errors',
  'for administrators',
  'step by step',
  'limits',
  'best practices',
  'in the app',
];

/**
 * Knowledge articles: one topic each (title and body), nine in ten published, created evenly
 * over the data period.
 */
export class ArticleGenerator implements TableGenerator {
  private readonly prng: Prng;
  done = 0;

  constructor(
    seed: number,
    tenantIndex: number,
    readonly count: number,
  ) {
    this.prng = new Prng(seed, `knowledge-articles/${tenantIndex}`);
  }

  nextLine(): string {
    const p = this.prng;
    const i = this.done++;
    const created = spreadTime(i, this.count, p);
    const topic = TOPICS[i % TOPICS.length]!;
    const other = p.pick(TOPICS);
    const status = p.chance(0.9) ? 'published' : p.chance(0.7) ? 'draft' : 'archived';
    const title = `${p.pick(ARTICLE_VERBS)} ${topic} ${p.pick(ARTICLE_QUALIFIERS)} ${i + 1}`;
    const body = `# ${title}\\n\\nThis article explains the ${topic} settings and how they relate to ${other}.\\n\\n1. Open the ${topic} page.\\n2. Check the ${other} options.\\n3. Save.`;
    return (
      [
        uuidv7(created, p),
        title,
        body,
        status,
        `{${topic},${other}}`,
        status === 'draft' ? NULL : iso(created),
        iso(created),
        iso(created),
      ].join('\t') + '\n'
    );
  }
}

// Cases -----------------------------------------------------------------------------------------

const PRIORITY = new Weighted<string>([
  ['low', 20],
  ['normal', 55],
  ['high', 18],
  ['urgent', 7],
]);
/** First-response and resolution targets (minutes) per priority, as a Standard/High/Urgent policy set would give. */
const TARGETS: Record<string, [number, number]> = {
  low: [480, 4800],
  normal: [240, 2400],
  high: [60, 960],
  urgent: [30, 240],
};
const CHANNEL = new Weighted<string>([
  ['email', 40],
  ['web', 25],
  ['phone', 15],
  ['chat', 15],
  ['social', 5],
]);
/** The open statuses of a case created less than RECENT before DATA_END, or of a stale one. */
const OPEN_STATUS = new Weighted<string>([
  ['new', 15],
  ['open', 50],
  ['pending', 25],
  ['onHold', 10],
]);
/** Business hours are about a third of the clock (10 h a weekday): calendar → business minutes. */
const BUSINESS_SHARE = 0.3;

/** Log-uniform between lo and hi. */
const logUniform = (p: Prng, lo: number, hi: number) =>
  Math.exp(Math.log(lo) + p.float() * Math.log(hi / lo));

/**
 * Cases: created evenly over the data period, each for a contact (and the contact's account) created
 * before it, mostly in a queue and with an assignee. Answered 5 minutes to 2 days after creation and
 * resolved 20 minutes to 30 days after; one whose resolution would come after DATA_END is open (as
 * are 1 % of the old ones, a stale backlog). Solved cases older than a week are closed. SLA targets
 * follow the priority; 4 in 10 resolved cases have a CSAT score. Remembers which cases get a comment
 * (one in five answered ones) for CaseCommentGenerator.
 */
export class CaseGenerator implements TableGenerator {
  readonly ids: string[] = [];
  /** per case: the time of its first public reply (0: none) and its assignee index (-1: none) */
  readonly replied: Float64Array;
  readonly assignee: Int8Array;
  /** cases with a contact and an account (indexes), for the context scenario */
  readonly linked: number[] = [];
  private readonly prng: Prng;
  done = 0;

  constructor(
    seed: number,
    tenantIndex: number,
    readonly count: number,
    private readonly accounts: AccountGenerator,
    private readonly contacts: ContactGenerator,
    private readonly queues: QueueSet,
    private readonly ownerIds: readonly string[],
  ) {
    this.prng = new Prng(seed, `cases/${tenantIndex}`);
    this.replied = new Float64Array(count);
    this.assignee = new Int8Array(count);
  }

  /** Cases that get a comment: one in five of those answered. */
  commented(i: number): boolean {
    return this.replied[i]! > 0 && i % 5 === 0;
  }

  commentRows(): number {
    let n = 0;
    for (let i = 0; i < this.done; i++) if (this.commented(i)) n++;
    return n;
  }

  nextLine(): string {
    const p = this.prng;
    const i = this.done++;
    const created = spreadTime(i, this.count, p);
    const id = uuidv7(created, p);
    const topic = p.pick(TOPICS);
    const subject = `${p.pick(PROBLEMS)} ${topic} ${p.pick(DETAILS)}`;
    const priority = PRIORITY.pick(p);
    const [frTarget, resTarget] = TARGETS[priority]!;
    // a contact created before the case (most cases), and its account
    let contact = -1;
    if (this.contacts.count > 0 && p.chance(0.92))
      contact = p.int(Math.max(1, Math.ceil((this.contacts.count * (i + 1)) / this.count)));
    const account = contact >= 0 ? this.contacts.account[contact]! : -1;
    if (contact >= 0 && account >= 0) this.linked.push(i);
    const frDue = created + Math.floor((frTarget / BUSINESS_SHARE) * MINUTE);
    const resDue = created + Math.floor((resTarget / BUSINESS_SHARE) * MINUTE);
    const reply = created + Math.floor(logUniform(p, 5, 2 * 24 * 60) * MINUTE);
    const resolve = Math.max(reply + MINUTE, created + Math.floor(logUniform(p, 20, 30 * 24 * 60) * MINUTE));
    const stale = p.chance(0.01);
    const replied = reply < DATA_END && !(stale && p.chance(0.3));
    const resolved = resolve < DATA_END && !stale;
    let status: string;
    if (resolved) status = DATA_END - resolve > 7 * DAY ? 'closed' : 'solved';
    else status = replied ? OPEN_STATUS.pick(p) : 'new';
    if (status === 'new' && replied) status = 'open';
    const assigneeIndex = status === 'new' && p.chance(0.5) ? -1 : p.int(this.ownerIds.length);
    this.replied[i] = replied ? reply : 0;
    this.assignee[i] = assigneeIndex;
    this.ids.push(id);
    const frBreached = replied ? reply > frDue : DATA_END > frDue;
    const resEnd = resolved ? resolve : DATA_END;
    const resMinutes = ((resEnd - created) / MINUTE) * BUSINESS_SHARE;
    const paused = status === 'pending' || status === 'onHold';
    const csat = resolved && p.chance(0.4) ? 1 + Math.min(4, Math.floor(p.float() ** 0.5 * 5)) : 0;
    const updated = resolved ? resolve : replied ? reply : created;
    return (
      [
        id,
        `CS-${String(i + 1).padStart(6, '0')}`,
        subject,
        status,
        priority,
        CHANNEL.pick(p),
        contact >= 0 ? this.contacts.ids[contact]! : NULL,
        account >= 0 ? this.accounts.ids[account]! : NULL,
        p.chance(0.95) ? p.pick(this.queues.ids) : NULL,
        assigneeIndex >= 0 ? this.ownerIds[assigneeIndex]! : NULL,
        iso(frDue),
        paused ? NULL : iso(resDue),
        replied ? iso(reply) : NULL,
        resolved ? iso(resolve) : NULL,
        status === 'closed' ? iso(resolve + 7 * DAY) : NULL,
        frBreached ? 't' : 'f',
        resMinutes > resTarget ? 't' : 'f',
        replied ? (((reply - created) / MINUTE) * BUSINESS_SHARE).toFixed(3) : NULL,
        resolved ? resMinutes.toFixed(3) : NULL,
        resolved ? resMinutes.toFixed(3) : '0',
        csat > 0 ? csat : NULL,
        csat > 0 ? iso(resolve + HOUR) : NULL,
        iso(created),
        iso(status === 'closed' ? resolve + 7 * DAY : updated),
      ].join('\t') + '\n'
    );
  }
}

/** The agent's first public reply of one case in five of the answered ones (comments are sparse). */
export class CaseCommentGenerator implements TableGenerator {
  readonly count: number;
  done = 0;
  private next = 0;
  private readonly prng: Prng;

  constructor(
    seed: number,
    tenantIndex: number,
    private readonly cases: CaseGenerator,
    private readonly ownerIds: readonly string[],
  ) {
    this.prng = new Prng(seed, `case-comments/${tenantIndex}`);
    this.count = cases.commentRows();
  }

  nextLine(): string {
    const c = this.cases;
    while (!c.commented(this.next)) this.next++;
    const i = this.next++;
    this.done++;
    const at = c.replied[i]!;
    const author = c.assignee[i]! >= 0 ? this.ownerIds[c.assignee[i]!]! : this.prng.pick(this.ownerIds);
    return (
      [
        uuidv7(at, this.prng),
        c.ids[i]!,
        'Thanks for reaching out. We are looking into it and will get back to you shortly.',
        't',
        author,
        iso(at),
      ].join('\t') + '\n'
    );
  }
}

/** The service metrics scenario's window: the data's last month (October 2026). */
export function metricsMonth(): { from: string; to: string } {
  const last = new Date(DATA_END - 1);
  const month = (k: number) =>
    new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + k, 1)).toISOString();
  return { from: month(0), to: month(1) };
}
