import { DeliveryEntity } from '../deliveries/entities/delivery.entity';
import { PagerDutyIncidentEntity } from '../deliveries/entities/pagerduty-incident.entity';

export const SCHEMA = 'outbound_pager';
export const ENTITIES = [DeliveryEntity, PagerDutyIncidentEntity];
