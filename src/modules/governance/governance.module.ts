import { Module } from '@nestjs/common';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { OAuthClientsModule } from './oauth-clients/oauth-clients.module.js';
import { RolesModule } from './roles/roles.module.js';
import { TeamsModule } from './teams/teams.module.js';
import { UsersModule } from './users/users.module.js';

/** Governance: who may do what. Each part is its own module under governance/<part>/. */
@Module({
  imports: [RolesModule, TeamsModule, UsersModule, ApiKeysModule, OAuthClientsModule],
})
export class GovernanceModule {}
