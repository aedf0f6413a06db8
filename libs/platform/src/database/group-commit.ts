interface Submission<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: concurrent writes are coalesced into one. The first submission is written at
 * once; submissions that arrive while a write is in flight wait for it and are then written
 * together, in one statement instead of one each. Every caller's promise settles only when its
 * own items are written (or rejects with the error), so a Kafka consumer still commits an
 * offset only after its rows exist.
 *
 * When a combined write fails, each submission is written again on its own, so one bad
 * submission fails alone instead of taking its neighbours (other partitions) down with it.
 */
export class GroupCommit<T> {
  private queue: Submission<T>[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxItems = 500,
  ) {}

  submit(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) await this.writeGroup(this.takeGroup());
    } finally {
      this.writing = false;
    }
  }

  /** Whole submissions, up to `maxItems` items (always at least one submission). */
  private takeGroup(): Submission<T>[] {
    let count = this.queue[0].items.length;
    let n = 1;
    while (n < this.queue.length && count + this.queue[n].items.length <= this.maxItems) {
      count += this.queue[n].items.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async writeGroup(group: Submission<T>[]): Promise<void> {
    try {
      await this.write(group.flatMap((s) => s.items));
      group.forEach((s) => s.resolve());
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      for (const submission of group) await this.writeGroup([submission]);
    }
  }
}
