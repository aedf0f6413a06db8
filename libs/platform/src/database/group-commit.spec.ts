import { GroupCommit } from './group-commit';

function deferred() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { gate, release };
}

describe('GroupCommit', () => {
  it('writes the first submission at once and the ones arriving meanwhile together', async () => {
    const writes: number[][] = [];
    const first = deferred();
    const commit = new GroupCommit<number>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await first.gate;
    });
    const a = commit.submit([1]);
    const rest = [commit.submit([2, 3]), commit.submit([4]), commit.submit([5])];
    expect(writes).toEqual([[1]]);
    first.release();
    await Promise.all([a, ...rest]);
    expect(writes).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('settles a caller only after the write holding its items', async () => {
    const first = deferred();
    const settled: string[] = [];
    const commit = new GroupCommit<string>(async (items) => {
      if (items.includes('a')) await first.gate;
      settled.push(`wrote ${items.join(',')}`);
    });
    const a = commit.submit(['a']).then(() => settled.push('a done'));
    const b = commit.submit(['b']).then(() => settled.push('b done'));
    await Promise.resolve();
    expect(settled).toEqual([]);
    first.release();
    await Promise.all([a, b]);
    expect(settled).toEqual(['wrote a', 'a done', 'wrote b', 'b done']);
  });

  it('keeps groups within maxItems, never splitting a submission', async () => {
    const sizes: number[] = [];
    const first = deferred();
    const commit = new GroupCommit<number>(async (items) => {
      sizes.push(items.length);
      if (sizes.length === 1) await first.gate;
    }, 4);
    const all = [commit.submit([0]), commit.submit([1, 2, 3]), commit.submit([4, 5])];
    all.push(commit.submit([6, 7, 8, 9, 10]));
    first.release();
    await Promise.all(all);
    expect(sizes).toEqual([1, 3, 2, 5]);
  });

  it('fails only the bad submission of a failed group; its neighbours are written', async () => {
    const first = deferred();
    const written: number[] = [];
    const commit = new GroupCommit<number>(async (items) => {
      if (items.includes(0)) await first.gate;
      if (items.includes(13)) throw new Error('row 13 violates a constraint');
      written.push(...items);
    });
    const results = Promise.allSettled([
      commit.submit([0]),
      commit.submit([1]),
      commit.submit([13]),
      commit.submit([2]),
    ]);
    first.release();
    expect((await results).map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(written).toEqual([0, 1, 2]);
  });
});
