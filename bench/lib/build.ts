/**
 * Building blocks of the benchmark data (bench/seed.ts): the word lists, and one generator per
 * table that turns a seeded stream into COPY text lines (tab separated, `\N` for null), row by
 * row, in creation order. Each table of each tenant draws from its own seeded stream, so every
 * value is a function of the seed, the tenant and the row counts, except the owners' user ids,
 * which the application makes.
 */
import { existsSync, lstatSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Prng, uuidv7, Weighted } from './prng.js';

/**
 * The compiled bench (`npx swc src bench -d bench/.build`) has its migrator at
 * bench/.build/src/platform/database, which looks for ../../../migrations, i.e. bench/.build/migrations:
 * link that to the repository's migrations/. Run from the sources (tests, tsc), the folder is
 * already there and nothing happens.
 */
export function linkMigrations(): void {
  const buildRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const target = path.join(buildRoot, 'migrations');
  if (existsSync(target) || isLink(target)) return;
  for (let dir = path.dirname(buildRoot); ; dir = path.dirname(dir)) {
    const source = path.join(dir, 'migrations');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(source)) {
      symlinkSync(source, target, 'dir');
      return;
    }
    if (path.dirname(dir) === dir) throw new Error(`no migrations/ found above ${buildRoot}`);
  }
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

// Time ---------------------------------------------------------------------------------------

/** Rows are created between these instants (fixed, never relative to now). */
export const DATA_START = Date.UTC(2024, 0, 1);
export const DATA_END = Date.UTC(2026, 10, 1); // exclusive: the last rows are on 2026-10-31
const SPAN = DATA_END - DATA_START;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The creation time of row i of n: evenly spread, jittered, never decreasing in i. */
export function spreadTime(i: number, n: number, prng: Prng): number {
  return DATA_START + Math.floor(((i + prng.float()) * SPAN) / n);
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const dayPrefix = new Map<number, string>();

/** `new Date(ms).toISOString()`, without a Date per call (a quarter of the generator's time otherwise). */
export function iso(ms: number): string {
  const day = Math.floor(ms / DAY);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    dayPrefix.set(day, prefix);
  }
  let rest = ms - day * DAY;
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${prefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[rest - s * 1000]}Z`;
}

// COPY text format ---------------------------------------------------------------------------

export const NULL = '\\N';
const SPECIAL = /[\\\t\n\r]/;
/** Escapes a value for COPY's text format (the word lists hold none of these characters). */
export function esc(s: string): string {
  return SPECIAL.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
}

// Word lists ---------------------------------------------------------------------------------

export const FIRST_NAMES: readonly string[] = (
  'James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara ' +
  'Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa ' +
  'Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew ' +
  'Donna Joshua Michelle Kenneth Dorothy Kevin Carol Brian Amanda George Melissa Edward Deborah ' +
  'Ronald Stephanie Timothy Rebecca Jason Sharon Jeffrey Laura Jacob Cynthia Gary Kathleen ' +
  'Nicholas Amy Eric Angela Jonathan Shirley Stephen Anna Larry Brenda Justin Pamela Scott Emma ' +
  'Brandon Nicole Benjamin Helen Samuel Samantha Gregory Katherine Alexander Christine Frank ' +
  'Debra Patrick Rachel Raymond Carolyn Jack Janet Dennis Catherine Jerry Maria Tyler Heather ' +
  'Aaron Diane Jose Ruth Adam Julie Nathan Olivia Henry Joyce Douglas Virginia Zachary Victoria ' +
  'Peter Kelly Kyle Lauren Noah Christina Ethan Joan Jeremy Evelyn Walter Judith Christian ' +
  'Megan Keith Andrea Roger Cheryl Terry Hannah Austin Jacqueline Sean Martha Gerald Gloria ' +
  'Carl Teresa Harold Ann Dylan Sara Arthur Madison Lawrence Frances Jordan Kathryn Jesse ' +
  'Janice Bryan Jean Billy Abigail Bruce Alice Gabriel Judy Joe Sophia Logan Grace Albert ' +
  'Denise Willie Amber'
).split(' ');

/** Surnames, most common first (they are drawn with Zipf-like weights). */
export const SURNAMES: readonly string[] = (
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez ' +
  'Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris ' +
  'Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill ' +
  'Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips ' +
  'Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook ' +
  'Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward ' +
  'Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez ' +
  'Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan ' +
  'Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson ' +
  'Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera ' +
  'Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison ' +
  'Fernandez Mcdonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker ' +
  'Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason ' +
  'Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox ' +
  'Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan ' +
  'Gardner Payne Grant Dunn Kowalski Novak Lindqvist Okafor Tanaka Yamamoto Becker Dubois Rossi ' +
  'Ivanova Haddad'
).split(' ');

/** Surname (index) weights ∝ 1/(rank + 10): the most common ~3% of contacts, the rarest ~0.2%. */
export const SURNAME_PICK = new Weighted(SURNAMES.map((_, r) => [r, 1 / (r + 10)] as const));

export const INDUSTRIES = [
  'Software',
  'Financial Services',
  'Healthcare',
  'Manufacturing',
  'Retail',
  'Education',
  'Logistics',
  'Energy',
  'Media',
  'Real Estate',
] as const;
/** Software a little above a tenth, the others a little below. */
export const INDUSTRY_PICK = new Weighted(INDUSTRIES.map((_, i) => [i, i === 0 ? 12 : 88 / 9] as const));

const COMPANY_PREFIXES: readonly string[] = (
  'North South East West Blue Red Green Silver Golden Bright Clear Swift Prime Summit Harbor ' +
  'River Lake Pine Oak Maple Cedar Iron Stone Star Sun Moon Sky Ocean Coastal Alpine Urban ' +
  'Metro Global United First Pioneer Frontier Atlas Apex Vertex Nova Polar Crescent Eagle ' +
  'Falcon Lion Fox Wolf Bear Granite Copper Cobalt Crystal Evergreen Highland Lakeside Meadow ' +
  'Redwood Sterling Union'
).split(' ');
const COMPANY_CORES: readonly string[] = (
  'Analytics Systems Networks Dynamics Solutions Logistics Foods Health Capital Energy Media ' +
  'Labs Works Industries Robotics Software Data Cloud Security Pharma Motors Textiles Freight ' +
  'Realty Retail Learning Studios Consulting Partners Ventures Foundry Electric Instruments ' +
  'Materials Biotech Finance Insurance Marine Aviation Outfitters Brewing Farms Telecom Digital ' +
  'Devices Optics Chemicals Design Holdings Supply'
).split(' ');
const COMPANY_SUFFIXES = ['Inc', 'LLC', 'Ltd', 'GmbH', 'Corp', 'Group', 'Co', 'SA', 'BV', 'AG'];
const TLDS = ['com', 'com', 'com', 'io', 'net', 'co', 'de', 'co.uk', 'fr', 'nl'];

const TITLES: readonly string[] = (
  'CEO|CTO|CFO|COO|VP Sales|VP Marketing|VP Engineering|Head of Operations|Head of Procurement|' +
  'IT Director|Sales Director|Marketing Manager|Product Manager|Engineering Manager|' +
  'Software Engineer|Data Analyst|Account Executive|Office Manager|Purchasing Manager|' +
  'Operations Manager|Finance Manager|HR Manager|Consultant|Project Manager|' +
  'Customer Success Manager|Business Analyst|Founder|Partner|Chief Revenue Officer|Controller'
).split('|');

const LEAD_SOURCES = new Weighted<string | null>([
  ['Web', 25],
  ['Referral', 15],
  ['Event', 10],
  ['Partner', 10],
  ['Outbound', 15],
  ['Advertisement', 8],
  ['Webinar', 7],
  [null, 10],
]);

/** The allowed values of contacts.lifecycle_stage, with their weights (customer 30%). */
const LIFECYCLE: readonly (readonly [string, number])[] = [
  ['subscriber', 8],
  ['lead', 20],
  ['marketingQualified', 10],
  ['salesQualified', 10],
  ['opportunity', 12],
  ['customer', 30],
  ['evangelist', 5],
  ['other', 5],
];
export const LIFECYCLE_STAGES = LIFECYCLE.map(([stage]) => stage);
const LIFECYCLE_PICK = new Weighted(LIFECYCLE.map(([, weight], i) => [i, weight] as const));

const CITIES: readonly (readonly [string, string, string, string])[] = [
  // city, region, country, postal-code prefix
  ['Springfield', 'IL', 'US', '627'],
  ['Austin', 'TX', 'US', '787'],
  ['Denver', 'CO', 'US', '802'],
  ['Seattle', 'WA', 'US', '981'],
  ['Boston', 'MA', 'US', '021'],
  ['Chicago', 'IL', 'US', '606'],
  ['Atlanta', 'GA', 'US', '303'],
  ['Portland', 'OR', 'US', '972'],
  ['San Diego', 'CA', 'US', '921'],
  ['Raleigh', 'NC', 'US', '276'],
  ['Toronto', 'ON', 'CA', 'M5V'],
  ['Vancouver', 'BC', 'CA', 'V6B'],
  ['London', 'England', 'GB', 'EC1'],
  ['Manchester', 'England', 'GB', 'M1'],
  ['Dublin', 'Leinster', 'IE', 'D02'],
  ['Berlin', 'Berlin', 'DE', '101'],
  ['Munich', 'Bavaria', 'DE', '803'],
  ['Hamburg', 'Hamburg', 'DE', '203'],
  ['Paris', 'Ile-de-France', 'FR', '750'],
  ['Lyon', 'Auvergne-Rhone-Alpes', 'FR', '690'],
  ['Amsterdam', 'North Holland', 'NL', '101'],
  ['Madrid', 'Madrid', 'ES', '280'],
  ['Milan', 'Lombardy', 'IT', '201'],
  ['Stockholm', 'Stockholm', 'SE', '111'],
  ['Sydney', 'NSW', 'AU', '200'],
];
const STREETS: readonly string[] = (
  'Main St|Oak Ave|Market St|Park Rd|High St|Elm St|Church Rd|Mill Lane|Station Rd|King St|' +
  'Queen St|River Rd|Harbour Way|Lake Dr|Hill St|Bridge St'
).split('|');

const TOPICS: readonly string[] = (
  'renewal|pricing|onboarding|quarterly review|contract terms|product demo|' +
  'integration questions|support escalation|expansion|security review|invoice|kickoff|roadmap|' +
  'training|pilot results|procurement|upsell|data migration|feedback|budget planning|' +
  'license count|API access|reference call|case study|go-live|health check|executive sponsor|' +
  'proposal|legal review|next steps'
).split('|');
const SENTENCES: readonly string[] = (
  'Discussed the current rollout and the open questions from their team.|' +
  'They asked for an updated quote before the end of the quarter.|' +
  'Agreed to follow up with the technical details next week.|' +
  'Budget is approved; procurement needs the security questionnaire.|' +
  'Shared the latest release notes and the migration guide.|' +
  'The champion is changing roles; we need a new sponsor.|' +
  'Walked through the reporting dashboards with the operations lead.|' +
  'Pricing concerns remain; they are comparing two other vendors.|' +
  'Sent the signed order form to finance for processing.|' +
  'They want a sandbox for their integration team.|' +
  'Renewal looks likely if the support response times improve.|' +
  'Scheduled a workshop with their administrators.|' +
  'Left a voicemail and sent a short recap by email.|' +
  'Their legal team returned the redlined contract.|' +
  'Usage grew steadily over the last three months.|' +
  'Introduced our solutions engineer to their architect.'
).split('|');

const ACTIVITY_TYPE = new Weighted<'call' | 'email' | 'meeting' | 'note' | 'task'>([
  ['call', 28],
  ['email', 32],
  ['meeting', 14],
  ['note', 14],
  ['task', 12],
]);

const PHONE_FORMATS = ['+1 555', '+44 20', '+49 30', '+33 1', '+31 20'];

function phone(prng: Prng): string {
  return `${prng.pick(PHONE_FORMATS)} ${prng.range(100, 999)} ${prng.range(1000, 9999)}`;
}

function address(prng: Prng): string {
  const [city, region, country, postal] = prng.pick(CITIES);
  return JSON.stringify({
    street: `${prng.range(1, 250)} ${prng.pick(STREETS)}`,
    city,
    region,
    postalCode: `${postal}${prng.range(10, 99)}`,
    country,
  });
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

// Generators ---------------------------------------------------------------------------------

/** Columns of each stage table, in COPY order (types as in migrations/0001_foundation.sql). */
export const ACCOUNT_COLUMNS: readonly (readonly [string, string])[] = [
  ['id', 'uuid'],
  ['name', 'text'],
  ['domain', 'text'],
  ['industry', 'text'],
  ['employees', 'integer'],
  ['annual_revenue', 'numeric(20,2)'],
  ['currency', 'char(3)'],
  ['website', 'text'],
  ['phone', 'text'],
  ['billing_address', 'jsonb'],
  ['owner_id', 'uuid'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const CONTACT_COLUMNS: readonly (readonly [string, string])[] = [
  ['id', 'uuid'],
  ['first_name', 'text'],
  ['last_name', 'text'],
  ['email', 'text'],
  ['phone', 'text'],
  ['title', 'text'],
  ['account_id', 'uuid'],
  ['owner_id', 'uuid'],
  ['lifecycle_stage', 'text'],
  ['lead_source', 'text'],
  ['do_not_contact', 'boolean'],
  ['address', 'jsonb'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export const ACTIVITY_COLUMNS: readonly (readonly [string, string])[] = [
  ['id', 'uuid'],
  ['type', 'text'],
  ['subject', 'text'],
  ['body', 'text'],
  ['occurred_at', 'timestamptz'],
  ['due_at', 'timestamptz'],
  ['status', 'text'],
  ['owner_id', 'uuid'],
  ['account_id', 'uuid'],
  ['contact_id', 'uuid'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export interface TableGenerator {
  readonly count: number;
  /** rows generated so far */
  readonly done: number;
  /** the COPY line (with its newline) of the next row */
  nextLine(): string;
}

/** updated_at: half the rows were edited once, up to 90 days after creation (not past DATA_END). */
function updatedAt(created: number, prng: Prng): number {
  return prng.chance(0.5) ? Math.min(DATA_END - 1, created + prng.int(90 * DAY)) : created;
}

export class AccountGenerator implements TableGenerator {
  readonly ids: string[] = [];
  /** index into INDUSTRIES per account */
  readonly industry: Uint8Array;
  readonly domains: string[] = [];
  private readonly prng: Prng;
  done = 0;

  constructor(
    seed: number,
    tenantIndex: number,
    readonly count: number,
    private readonly ownerIds: readonly string[],
  ) {
    this.prng = new Prng(seed, `accounts/${tenantIndex}`);
    this.industry = new Uint8Array(count);
  }

  nextLine(): string {
    const p = this.prng;
    const i = this.done++;
    const created = spreadTime(i, this.count, p);
    const id = uuidv7(created, p);
    const prefix = p.pick(COMPANY_PREFIXES);
    const core = p.pick(COMPANY_CORES);
    const name = `${prefix} ${core} ${p.pick(COMPANY_SUFFIXES)}`;
    const domain = `${slug(prefix + core)}-${i.toString(36)}.${p.pick(TLDS)}`;
    const industry = INDUSTRY_PICK.pick(p);
    // Log-uniform head count, 1 to ~50,000; revenue per head 40k–400k.
    const employees = Math.max(1, Math.round(Math.exp(p.float() * Math.log(50_000))));
    const r = p.float();
    const currency = r < 0.8 ? 'USD' : r < 0.85 ? 'EUR' : r < 0.9 ? 'GBP' : null;
    const revenue = currency ? `${employees * p.range(40, 400)}000.00` : NULL;
    this.ids.push(id);
    this.industry[i] = industry;
    this.domains.push(domain);
    return (
      [
        id,
        esc(name),
        domain,
        INDUSTRIES[industry],
        employees,
        revenue,
        currency ?? NULL,
        `https://www.${domain}`,
        p.chance(0.8) ? phone(p) : NULL,
        p.chance(0.7) ? address(p) : NULL,
        p.pick(this.ownerIds),
        iso(created),
        iso(updatedAt(created, p)),
      ].join('\t') + '\n'
    );
  }
}

export class ContactGenerator implements TableGenerator {
  readonly ids: string[] = [];
  /** the account (index into the tenant's accounts) per contact, -1 for none */
  readonly account: Int32Array;
  readonly firstName: Uint8Array;
  readonly lastName: Uint8Array;
  /** index into LIFECYCLE_STAGES per contact */
  readonly lifecycle: Uint8Array;
  private readonly prng: Prng;
  /** accounts a contact may link to (not the timeline accounts), in creation order */
  private readonly linkable: Int32Array;
  done = 0;

  constructor(
    seed: number,
    tenantIndex: number,
    readonly count: number,
    private readonly accounts: AccountGenerator,
    timelineAccounts: ReadonlySet<number>,
    private readonly ownerIds: readonly string[],
  ) {
    this.prng = new Prng(seed, `contacts/${tenantIndex}`);
    this.account = new Int32Array(count);
    this.firstName = new Uint8Array(count);
    this.lastName = new Uint8Array(count);
    this.lifecycle = new Uint8Array(count);
    const linkable: number[] = [];
    for (let a = 0; a < accounts.count; a++) if (!timelineAccounts.has(a)) linkable.push(a);
    this.linkable = Int32Array.from(linkable);
  }

  nextLine(): string {
    const p = this.prng;
    const i = this.done++;
    const created = spreadTime(i, this.count, p);
    const id = uuidv7(created, p);
    const first = p.int(FIRST_NAMES.length);
    const lastIndex = SURNAME_PICK.pick(p);
    const last = SURNAMES[lastIndex]!;
    // 90% work for an account, one created before them (older accounts gather more contacts).
    let account = -1;
    if (this.linkable.length > 0 && p.chance(0.9)) {
      const createdBefore = Math.ceil((this.linkable.length * (i + 1)) / this.count);
      account = this.linkable[p.int(Math.max(1, createdBefore))]!;
    }
    const firstName = FIRST_NAMES[first]!;
    const domain = account >= 0 ? this.accounts.domains[account]! : p.pick(FREEMAIL);
    const email = `${slug(firstName)}.${slug(last)}${i}@${domain}`;
    const stage = LIFECYCLE_PICK.pick(p);
    const source = LEAD_SOURCES.pick(p);
    this.ids.push(id);
    this.account[i] = account;
    this.firstName[i] = first;
    this.lastName[i] = lastIndex;
    this.lifecycle[i] = stage;
    return (
      [
        id,
        firstName,
        last,
        email,
        p.chance(0.85) ? phone(p) : NULL,
        p.chance(0.9) ? p.pick(TITLES) : NULL,
        account >= 0 ? this.accounts.ids[account]! : NULL,
        p.pick(this.ownerIds),
        LIFECYCLE_STAGES[stage],
        source ?? NULL,
        p.chance(0.03) ? 't' : 'f',
        p.chance(0.4) ? address(p) : NULL,
        iso(created),
        iso(updatedAt(created, p)),
      ].join('\t') + '\n'
    );
  }
}

const FREEMAIL = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'icloud.com'];

export class ActivityGenerator implements TableGenerator {
  private readonly prng: Prng;
  /** per activity: the timeline account's index into `timelineAccounts`, or -1 (a contact's activity) */
  private readonly timelineSlot: Int16Array;
  done = 0;

  constructor(
    seed: number,
    tenantIndex: number,
    readonly count: number,
    private readonly accounts: AccountGenerator,
    private readonly contacts: ContactGenerator,
    private readonly timelineAccounts: readonly number[],
    perTimelineAccount: number,
    private readonly ownerIds: readonly string[],
  ) {
    this.prng = new Prng(seed, `activities/${tenantIndex}`);
    const timelineRows = timelineAccounts.length * perTimelineAccount;
    if (timelineRows > count)
      throw new Error(`${timelineRows} timeline activities do not fit in ${count} activities`);
    if (contacts.count === 0 && timelineRows < count) throw new Error('activities need contacts');
    // Which rows belong to a timeline account: a partial Fisher–Yates draw of timelineRows
    // positions out of count, the k-th drawn going to timeline account k mod T (so exactly
    // perTimelineAccount each, spread over the whole period).
    this.timelineSlot = new Int16Array(count).fill(-1);
    if (timelineRows > 0) {
      const slots = new Prng(seed, `timeline/${tenantIndex}`);
      const order = new Int32Array(count);
      for (let i = 0; i < count; i++) order[i] = i;
      for (let k = 0; k < timelineRows; k++) {
        const j = k + slots.int(count - k);
        const pos = order[j]!;
        order[j] = order[k]!;
        order[k] = pos;
        this.timelineSlot[pos] = k % timelineAccounts.length;
      }
    }
  }

  nextLine(): string {
    const p = this.prng;
    const i = this.done++;
    const created = spreadTime(i, this.count, p);
    const id = uuidv7(created, p);
    const slot = this.timelineSlot[i]!;
    let accountId = NULL;
    let contactId = NULL;
    let who: string;
    if (slot >= 0) {
      accountId = this.accounts.ids[this.timelineAccounts[slot]!]!;
      who = `the ${p.pick(['buying committee', 'account team', 'IT department', 'finance team'])}`;
    } else {
      // A contact created before the activity (older contacts have more history).
      const createdBefore = Math.ceil((this.contacts.count * (i + 1)) / this.count);
      const c = p.int(Math.max(1, createdBefore));
      contactId = this.contacts.ids[c]!;
      const account = this.contacts.account[c]!;
      if (account >= 0) accountId = this.accounts.ids[account]!;
      who = `${FIRST_NAMES[this.contacts.firstName[c]!]} ${SURNAMES[this.contacts.lastName[c]!]}`;
    }
    const type = ACTIVITY_TYPE.pick(p);
    const topic = p.pick(TOPICS);
    let subject: string;
    let occurred = created;
    let due: number | null = null;
    let status = 'completed';
    switch (type) {
      case 'call':
        subject = `Call with ${who} about ${topic}`;
        occurred = created - p.int(4 * HOUR);
        break;
      case 'email':
        subject = `Re: ${topic}`;
        occurred = created - p.int(HOUR);
        break;
      case 'meeting':
        subject = `Meeting with ${who}: ${topic}`;
        // Some are booked ahead: planned, still open.
        if (p.chance(0.3)) {
          occurred = created + p.range(1, 14) * DAY;
          status = 'open';
        } else occurred = created - p.int(8 * HOUR);
        break;
      case 'note':
        subject = `Note: ${topic}`;
        break;
      case 'task': {
        subject = `Follow up on ${topic} with ${who}`;
        due = created + p.range(1, 21) * DAY;
        const r = p.float();
        status = r < 0.4 ? 'open' : r < 0.9 ? 'completed' : 'cancelled';
        break;
      }
    }
    const body = p.chance(0.85)
      ? p.chance(0.5)
        ? p.pick(SENTENCES)
        : `${p.pick(SENTENCES)} ${p.pick(SENTENCES)}`
      : NULL;
    return (
      [
        id,
        type,
        esc(subject),
        body,
        iso(occurred),
        due === null ? NULL : iso(due),
        status,
        p.pick(this.ownerIds),
        accountId,
        contactId,
        iso(created),
        iso(updatedAt(created, p)),
      ].join('\t') + '\n'
    );
  }
}
