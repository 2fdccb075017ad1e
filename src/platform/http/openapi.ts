import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
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
    .addSecurityRequirements('bearer')
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}_${methodKey}`,
  });
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
