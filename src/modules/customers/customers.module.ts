import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountEntity } from './accounts/account.entity.js';
import { ActivityEntity } from './activities/activity.entity.js';
import { ContactEntity } from './contacts/contact.entity.js';
import { RecordsModule } from '../../platform/records/records.module.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { AccountsResolver } from './accounts/accounts.resolver.js';
import { AccountsService } from './accounts/accounts.service.js';
import { ActivitiesController } from './activities/activities.controller.js';
import { ActivitiesResolver } from './activities/activities.resolver.js';
import { ActivitiesService } from './activities/activities.service.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { ContactsResolver } from './contacts/contacts.resolver.js';
import { ContactsService } from './contacts/contacts.service.js';

/** Accounts, contacts and activities (the customer timeline). */
@Module({
  imports: [RecordsModule, TypeOrmModule.forFeature([AccountEntity, ContactEntity, ActivityEntity])],
  controllers: [AccountsController, ContactsController, ActivitiesController],
  providers: [
    AccountsService,
    ContactsService,
    ActivitiesService,
    AccountsResolver,
    ContactsResolver,
    ActivitiesResolver,
  ],
  exports: [AccountsService, ContactsService, ActivitiesService],
})
export class CustomersModule {}
