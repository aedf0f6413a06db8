import type { IncidentService } from './incident-service';
import { errorText, type SimulatorLogger } from './simulator-logger';

/** Runs the auto-stale sweep every `intervalMs`, never two at once. */
export class StaleSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly service: IncidentService,
    private readonly intervalMs: number,
    private readonly logger: SimulatorLogger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.running !== undefined) return;
      this.running = this.sweep().finally(() => {
        this.running = undefined;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async sweep(): Promise<void> {
    try {
      await this.service.sweep();
    } catch (error) {
      this.logger.error('stale sweep failed', { error: errorText(error) });
    }
  }
}
