import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessExplainer } from '../../../platform/security/policy/access-explain.js';
import { SharingController } from './sharing.controller.js';
import { FieldPolicyEntity, ObjectSharingEntity, RecordShareEntity } from './sharing.entities.js';
import { SharingResolver } from './sharing.resolver.js';
import { SharingService } from './sharing.service.js';

/**
 * Administration of record- and field-level security (`sharing:manage`). The policies themselves
 * live in the global PolicyModule (src/platform/security/policy), which the record layer uses.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ObjectSharingEntity, RecordShareEntity, FieldPolicyEntity])],
  controllers: [SharingController],
  providers: [SharingService, SharingResolver, AccessExplainer],
})
export class SharingModule {}
