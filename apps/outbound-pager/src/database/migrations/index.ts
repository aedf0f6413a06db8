import { CreateDeliveryQueue1764806500000 } from './1764806500000-create-delivery-queue';

/** Every migration of the outbound_pager schema, oldest first. */
export const MIGRATIONS = [CreateDeliveryQueue1764806500000];
