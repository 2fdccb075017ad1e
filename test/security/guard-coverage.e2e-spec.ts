import { Controller, Get, Post, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, ModulesContainer, Reflector } from '@nestjs/core';
import { GraphQLSchemaHost, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuthGuard } from '../../src/platform/auth/auth.guard.js';
import { Public } from '../../src/platform/auth/public.decorator.js';
import {
  accessDeclaration,
  AccessDeclaration,
  PermissionGuard,
} from '../../src/platform/security/permission.guard.js';
import { isKnownPermission } from '../../src/platform/security/permissions.js';
import {
  AuthenticatedOnly,
  RequirePermission,
} from '../../src/platform/security/require-permission.decorator.js';
import { createTestApp, TestApp } from '../harness/app.js';

/**
 * Every REST route and every GraphQL query and mutation must say who may call it:
 * @RequirePermission(...), @AuthenticatedOnly() (any signed-in principal) or @Public(). The
 * PermissionGuard refuses undeclared ones at run time (deny by default); this test catches them
 * before they ship, and lists the public surface on purpose.
 */

/** Reachable without a token, on purpose. A new public route must be added here, deliberately. */
const PUBLIC_REST = [
  'GET /.well-known/jwks.json',
  'GET /.well-known/oauth-authorization-server',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'POST /oauth/token',
].sort();
const PUBLIC_GRAPHQL = ['Query.serverInfo'];

/** Served by Fastify plugins rather than Nest handlers: API docs and the GraphQL endpoint (checked per operation below). */
const NON_NEST_ROUTES = [/^\/docs(\/|$)/, /^\/openapi\.(json|yaml)$/, /^\/graphql$/];

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
// Nest's RequestMethod enum, by index.
const REQUEST_METHOD = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

interface Handler {
  /** `GET /v1/contacts/:id` or `Query.contacts` */
  name: string;
  access: AccessDeclaration;
}

/** Methods of a class and its ancestors (the record factories' routes live on an abstract parent). */
function methodsOf(cls: Type<unknown>): { key: string; fn: object }[] {
  const out: { key: string; fn: object }[] = [];
  const seen = new Set<string>();
  for (
    let proto = cls.prototype as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || seen.has(key)) continue;
      const fn = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
      if (typeof fn !== 'function') continue;
      seen.add(key);
      out.push({ key, fn });
    }
  }
  return out;
}

const joinPath = (...parts: string[]): string =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter((s) => s.length > 0)
    .join('/')}`;

/** The REST routes a controller class declares, with what each says about access. */
function restHandlers(reflector: Reflector, controllers: Type<unknown>[]): Handler[] {
  const out: Handler[] = [];
  for (const cls of controllers) {
    const base = (Reflect.getMetadata(PATH_METADATA, cls) as string | string[] | undefined) ?? '';
    for (const { fn } of methodsOf(cls)) {
      const path = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, fn) as number | undefined;
      if (path === undefined || method === undefined) continue;
      for (const b of [base].flat()) {
        for (const p of [path].flat()) {
          out.push({
            name: `${REQUEST_METHOD[method]} ${joinPath(b, p)}`,
            access: accessDeclaration(reflector, fn, cls),
          });
        }
      }
    }
  }
  return out;
}

/** The root GraphQL operations a resolver class declares. */
function graphqlHandlers(reflector: Reflector, resolvers: Type<unknown>[]): Handler[] {
  const out: Handler[] = [];
  for (const cls of resolvers) {
    for (const { key, fn } of methodsOf(cls)) {
      const type = Reflect.getMetadata('graphql:resolver_type', fn) as string | undefined;
      if (type !== 'Query' && type !== 'Mutation') continue;
      const name = (Reflect.getMetadata('graphql:resolver_name', fn) as string | undefined) ?? key;
      out.push({ name: `${type}.${name}`, access: accessDeclaration(reflector, fn, cls) });
    }
  }
  return out;
}

const undeclared = (handlers: Handler[]): string[] =>
  handlers.filter((h) => h.access.kind === 'undeclared').map((h) => h.name);

/**
 * Every route in Fastify's table, from its printRoutes tree (`commonPrefix: false` prints each
 * node's segment; a node's full path is its ancestors' segments joined).
 */
function fastifyRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3}|[├└]── )*)(.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m || m[2].length === 0) continue;
    const depth = [...m[1]].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    if (!m[3]) continue;
    const path = stack.join('');
    for (const method of m[3].split(',').map((s) => s.trim())) routes.push(`${method} ${path}`);
  }
  return routes;
}

describe('guard coverage', () => {
  let t: TestApp;
  let reflector: Reflector;
  let controllers: Type<unknown>[];
  let resolvers: Type<unknown>[];

  beforeAll(async () => {
    t = await createTestApp();
    reflector = t.app.get(Reflector);
    controllers = [];
    resolvers = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) controllers.push(wrapper.metatype as Type<unknown>);
      for (const wrapper of module.providers.values()) {
        const cls = wrapper.metatype as Type<unknown> | null;
        if (typeof cls === 'function' && Reflect.hasMetadata('graphql:resolver_type', cls))
          resolvers.push(cls);
      }
    }
  });
  afterAll(() => t.close());

  it('finds every route in Fastify’s table among the Nest handlers it inspects (the walk is complete)', () => {
    const fastify = t.app.getHttpAdapter().getInstance();
    const table = fastifyRoutes(fastify.printRoutes({ commonPrefix: false }))
      .filter((r) => HTTP_METHODS.includes(r.split(' ')[0]))
      .filter((r) => !NON_NEST_ROUTES.some((re) => re.test(r.split(' ')[1])));
    const handlers = new Set(restHandlers(reflector, controllers).map((h) => h.name));
    expect(table.length).toBeGreaterThan(30);
    expect(table.filter((r) => !handlers.has(r))).toEqual([]);
    // And every inspected handler is really served.
    for (const name of handlers) {
      const [method, url] = name.split(' ');
      expect({ name, served: fastify.hasRoute({ method: method as 'GET', url }) }).toEqual({
        name,
        served: true,
      });
    }
  });

  it('every REST route declares @RequirePermission, @AuthenticatedOnly or @Public', () => {
    const handlers = restHandlers(reflector, controllers);
    expect(handlers.length).toBeGreaterThan(30);
    expect(undeclared(handlers)).toEqual([]);
  });

  it('every GraphQL query and mutation in the schema declares one too', () => {
    const handlers = graphqlHandlers(reflector, resolvers);
    const byName = new Map(handlers.map((h) => [h.name, h]));
    const schema = t.app.get(GraphQLSchemaHost).schema;
    const operations = [
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}).map((f) => `Query.${f}`),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}).map((f) => `Mutation.${f}`),
    ];
    expect(operations.length).toBeGreaterThan(20);
    // Every operation of the schema was found on a resolver, so none escapes the check.
    expect(operations.filter((o) => !byName.has(o))).toEqual([]);
    expect(undeclared(operations.map((o) => byName.get(o)!))).toEqual([]);
  });

  it('lists the public surface on purpose', () => {
    const restPublic = restHandlers(reflector, controllers)
      .filter((h) => h.access.kind === 'public')
      .map((h) => h.name)
      .sort();
    expect(restPublic).toEqual(PUBLIC_REST);
    const graphqlPublic = graphqlHandlers(reflector, resolvers)
      .filter((h) => h.access.kind === 'public')
      .map((h) => h.name)
      .sort();
    expect(graphqlPublic).toEqual(PUBLIC_GRAPHQL);
  });

  it('names only permissions of the catalogue', () => {
    const declared = [
      ...restHandlers(reflector, controllers),
      ...graphqlHandlers(reflector, resolvers),
    ].flatMap((h) =>
      h.access.kind === 'permissions' ? h.access.permissions.map((p) => `${h.name}: ${p}`) : [],
    );
    expect(declared.length).toBeGreaterThan(30);
    expect(declared.filter((d) => !isKnownPermission(d.split(': ')[1]))).toEqual([]);
  });

  it('catches an undeclared handler (the check can fail)', () => {
    @Controller('v1/dummy')
    class DummyController {
      @Get()
      forgotten(): void {}
      @Post()
      @RequirePermission('contacts:create')
      declared(): void {}
      @Get('me')
      @AuthenticatedOnly()
      mine(): void {}
      @Get('open')
      @Public()
      open(): void {}
    }
    @Resolver()
    class DummyResolver {
      @Query(() => Boolean)
      forgottenQuery(): boolean {
        return true;
      }
      @Mutation(() => Boolean)
      @RequirePermission('contacts:update')
      declaredMutation(): boolean {
        return true;
      }
    }
    expect(undeclared(restHandlers(reflector, [DummyController]))).toEqual(['GET /v1/dummy']);
    expect(undeclared(graphqlHandlers(reflector, [DummyResolver]))).toEqual(['Query.forgottenQuery']);
  });

  it('runs the permission guard after the authentication guard, and it refuses an undeclared handler (deny by default)', async () => {
    const guards = t.app.get(ApplicationConfig).getGlobalGuards();
    const auth = guards.findIndex((g) => g instanceof AuthGuard);
    const permission = guards.findIndex((g) => g instanceof PermissionGuard);
    expect(auth).toBeGreaterThanOrEqual(0);
    expect(permission).toBeGreaterThan(auth);

    // Any signed-in caller, even one holding every permission: refused, not served.
    class Undeclared {
      handle(): void {}
    }
    const context = {
      getType: () => 'http',
      getHandler: () => Undeclared.prototype.handle,
      getClass: () => Undeclared,
      switchToHttp: () => ({
        getRequest: () => ({ rapportCtx: { can: () => true } }),
        getResponse: () => ({}),
      }),
    };
    await expect(
      Promise.resolve().then(() => (guards[permission] as PermissionGuard).canActivate(context as never)),
    ).rejects.toThrow(/declares no permission/);
  });
});
