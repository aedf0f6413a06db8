import { collectDefaultMetrics, Registry } from 'prom-client';

/** The service's own Prometheus registry, so two services in one test process never clash. */
export class MetricsRegistry extends Registry {
  constructor(service: string) {
    super();
    this.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this });
  }
}
