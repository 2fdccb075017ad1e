import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

export const IS_PUBLIC = 'rapport:isPublic';

/**
 * Lets a route or resolver run without a bearer token (the global AuthGuard requires one
 * everywhere else). Also tells OpenAPI that the operation needs no credentials, overriding the
 * document-wide bearer requirement with an empty (always satisfied) one.
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiSecurity({}));
