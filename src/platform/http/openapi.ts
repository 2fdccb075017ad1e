import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { documentIdempotency } from './idempotency.js';

/**
 * Every tag a controller uses (`@ApiTags`), in the order Swagger UI shows them. A module that adds
 * a tag adds it here too; one missing from this list is still declared (see below) but without a
 * description, and `npm run lint` (spectral `tag-description`) warns about it.
 */
export const API_TAGS: ReadonlyArray<{ name: string; description: string }> = [
  {
    name: 'auth',
    description:
      'Tokens (RFC 6749 password, refresh_token and client_credentials grants), the signed-in principal, ' +
      'and the published signing keys and authorization-server metadata.',
  },
  {
    name: 'accounts',
    description: 'Companies and organisations you do business with, and their activity timelines.',
  },
  { name: 'contacts', description: 'People, usually at an account, and their activity timelines.' },
  {
    name: 'activities',
    description: 'Calls, emails, meetings, notes and tasks linked to accounts and contacts.',
  },
  {
    name: 'leads',
    description:
      'Prospects before qualification, their conversion into account, contact and opportunity, their timelines, and the lead queues assignment rules route them to.',
  },
  {
    name: 'opportunities',
    description:
      'Deals moving through a pipeline: stage rules, stage history, contact roles, line items and timelines.',
  },
  {
    name: 'pipelines',
    description:
      'Sales processes and their ordered stages (open, won, lost). Changes need the stages permissions.',
  },
  {
    name: 'products',
    description: 'What you sell, with list prices; opportunities’ line items refer to them.',
  },
  {
    name: 'lead-assignment-rules',
    description:
      'The ordered rules that give new leads an owner, a team member (round-robin) or a queue. Needs lead-assignment-rules:manage.',
  },
  {
    name: 'cases',
    description:
      'Support cases: gap-free numbers, an enforced status lifecycle, public and internal comments (the first public agent reply is the first response), CSAT, reassignment history, and SLA due dates in business time. See docs/service.md.',
  },
  {
    name: 'case-queues',
    description:
      'Queues cases wait in, with the agents who work them (round-robin). Administrators maintain them.',
  },
  {
    name: 'case-assignment-rules',
    description:
      'The ordered rules that route new cases to a queue and round-robin among its members, or to a fixed assignee. Administrators maintain them.',
  },
  {
    name: 'knowledge-articles',
    description:
      'The knowledge base: markdown articles with a draft/published/archived lifecycle, version history, full-text search (q), and links to the cases they solved. See docs/service.md.',
  },
  {
    name: 'service',
    description:
      'Service metrics over cases: resolution times (business and calendar), SLA attainment, backlog and CSAT, grouped by queue, assignee, priority or channel, within what the caller may see.',
  },
  {
    name: 'imports',
    description:
      'Bulk import jobs: stream a CSV or NDJSON file (create, update or upsert by externalId, id or a natural key), follow progress, download the failed rows. Resumable; per-row errors. See docs/integration.md.',
  },
  {
    name: 'exports',
    description:
      "Bulk export: a filter in the query language and the fields to keep, streamed as CSV or NDJSON in constant memory, within the exporter's record- and field-level security. Needs data:export.",
  },
  {
    name: 'users',
    description:
      'The people who sign in: create, change role, deactivate (revokes their tokens at once). Reading needs any token; changes need users:manage.',
  },
  {
    name: 'roles',
    description:
      'Permission bundles in a hierarchy, six built in per tenant. Reading needs any token; changes need roles:manage, and nobody grants what they do not hold.',
  },
  {
    name: 'teams',
    description:
      'Groups of users that records can be shared with. Reading needs any token; changes need users:manage.',
  },
  {
    name: 'api-keys',
    description:
      "Keys for scripts (`Authorization: Bearer rpk_…`), shown once and stored hashed. A key acts as its owner, narrowed to its scopes, which cannot exceed what its creator holds. Any user manages their own; api-keys:manage manages everyone's.",
  },
  {
    name: 'oauth-clients',
    description:
      'Partner applications using the client_credentials grant: client_id, a secret shown once (rotatable with an overlap window), allowed scopes and the role they act as. Needs oauth-clients:manage.',
  },
  {
    name: 'audit',
    description:
      'The tamper-evident audit trail: every change (with fields before and after), sign-in, token grant and refused attempt; its verification; and each record’s field history. The trail needs audit:read; a history needs read access to the record.',
  },
  {
    name: 'sharing',
    description:
      'Record- and field-level security: org-wide defaults per object (private, read, readWrite), record shares with users, teams and roles, field policies per role (hidden, read, edit), and why a user can or cannot see a record. Needs sharing:manage. See docs/sharing.md.',
  },
  {
    name: 'health',
    description: 'Liveness and readiness probes for load balancers and orchestrators; no token needed.',
  },
];

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Rapport API')
    .setDescription(
      'Headless CRM API. Every endpoint except health, metrics, docs, /oauth/token and /.well-known/* needs a bearer ' +
        'token from POST /oauth/token. Errors are application/problem+json (RFC 9457). Lists take filter, sort, ' +
        'limit (default 50, max 200), cursor, fields, expand, q and count; see docs/query-language.md.',
    )
    .setVersion('0.1.0')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .setContact('Rapport', 'https://rapport.dev', 'team@rapport.dev')
    .addServer('/', 'This server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer');
  for (const tag of API_TAGS) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}_${methodKey}`,
  });
  declareUsedTags(document);
  documentIdempotency(document);
  return document;
}

/** Declares any tag an operation uses that API_TAGS lacks (sorted, so the output stays stable). */
function declareUsedTags(document: OpenAPIObject): void {
  const declared = new Set((document.tags ?? []).map((t) => t.name));
  const used = new Set<string>();
  for (const item of Object.values(document.paths)) {
    for (const op of [
      item.get,
      item.put,
      item.post,
      item.delete,
      item.options,
      item.head,
      item.patch,
      item.trace,
    ]) {
      for (const tag of op?.tags ?? []) used.add(tag);
    }
  }
  const missing = [...used].filter((t) => !declared.has(t)).sort();
  if (missing.length > 0) document.tags = [...(document.tags ?? []), ...missing.map((name) => ({ name }))];
}

/** `/openapi.json` and Swagger UI at `/docs`, its assets served from node_modules (no CDN). */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Rapport API',
  });
  return document;
}
