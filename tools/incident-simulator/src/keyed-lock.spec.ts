import { KeyedLock } from './keyed-lock';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLock', () => {
  it('runs tasks for one key one at a time, in order', async () => {
    const sut = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    await Promise.all([sut.run('a', task('1')), sut.run('a', task('2'))]);
    expect(log).toEqual(['1 start', '1 end', '2 start', '2 end']);
  });

  it('lets different keys run side by side', async () => {
    const sut = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    await Promise.all([sut.run('a', task('a')), sut.run('b', task('b'))]);
    expect(log.slice(0, 2)).toEqual(['a start', 'b start']);
  });

  it('releases the key when a task fails', async () => {
    const sut = new KeyedLock();
    await expect(sut.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sut.run('a', () => Promise.resolve(42))).resolves.toBe(42);
    await sut.idle();
  });
});
