import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyAuthenticator } from './api-keys/api-key.authenticator.js';
import { ApiKey } from './api-keys/api-key.entity.js';
import { AuthGuard } from './auth.guard.js';
import { BootstrapService } from './bootstrap.service.js';
import { Clock } from './clock.js';
import { JwtStrategy } from './jwt.strategy.js';
import { KeysService } from './keys.service.js';
import { LoginFailure } from './login-failure.entity.js';
import { LoginThrottle } from './login-throttle.js';
import { MeController } from './me.controller.js';
import { OAuthController } from './oauth.controller.js';
import { OAuthService } from './oauth.service.js';
import { ClientCredentialsGrant } from './oauth-clients/client-credentials.grant.js';
import { ClientPrincipalResolver } from './oauth-clients/client-principal.resolver.js';
import { OAuthClient } from './oauth-clients/oauth-client.entity.js';
import { PasswordHasher } from './password-hasher.js';
import { RefreshToken } from './refresh-token.entity.js';
import { SigningKey } from './signing-key.entity.js';
import { Tenant } from './tenant.entity.js';
import { TenantsService } from './tenants.service.js';
import { TokenService } from './token.service.js';
import { UserDirectoryEntry } from './user-directory.entity.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';
import { ViewerResolver } from './viewer.resolver.js';
import { WellKnownController } from './well-known.controller.js';

/**
 * Identity: tenants, users, token issue (POST /oauth/token) and verification. Its AuthGuard is
 * global, so every route and GraphQL operation of every module needs a token unless @Public().
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      Tenant,
      User,
      UserDirectoryEntry,
      RefreshToken,
      SigningKey,
      ApiKey,
      OAuthClient,
      LoginFailure,
    ]),
  ],
  controllers: [OAuthController, WellKnownController, MeController],
  providers: [
    KeysService,
    PasswordHasher,
    TenantsService,
    UsersService,
    TokenService,
    OAuthService,
    JwtStrategy,
    BootstrapService,
    ViewerResolver,
    Clock,
    LoginThrottle,
    ApiKeyAuthenticator,
    ClientCredentialsGrant,
    ClientPrincipalResolver,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TenantsService, UsersService, TokenService, KeysService, BootstrapService],
})
export class AuthModule {}
