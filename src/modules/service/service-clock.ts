import { Injectable } from '@nestjs/common';

/**
 * "Now" for the service module's timestamps (case creation, first response, solve, close, SLA
 * clock). A provider rather than `new Date()` so that tests can move time instead of sleeping
 * through business hours (`jest.spyOn(app.get(ServiceClock), 'now')`).
 */
@Injectable()
export class ServiceClock {
  now(): Date {
    return new Date();
  }
}
