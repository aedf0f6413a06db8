import { CreateDeliveryQueue1764806500000 } from './1764806500000-create-delivery-queue';
import { DeliveriesFillfactor1764896400000 } from './1764896400000-deliveries-fillfactor';

/** Every migration of the outbound_pager schema, oldest first. */
export const MIGRATIONS = [CreateDeliveryQueue1764806500000, DeliveriesFillfactor1764896400000];
