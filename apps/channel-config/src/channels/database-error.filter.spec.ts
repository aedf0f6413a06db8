import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-error.filter';

const driverError = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const failed = (code: string) => new QueryFailedError('SELECT 1', [], driverError(code));

describe('isDatabaseUnavailable', () => {
  it('recognises an unreachable, restarting or overloaded server', () => {
    expect(isDatabaseUnavailable(driverError('ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(failed('57P01'))).toBe(true); // admin shutdown
    expect(isDatabaseUnavailable(failed('57P03'))).toBe(true); // cannot connect now
    expect(isDatabaseUnavailable(failed('08006'))).toBe(true); // connection failure
    expect(isDatabaseUnavailable(failed('53300'))).toBe(true); // too many connections
  });

  it('leaves errors of the request itself alone', () => {
    expect(isDatabaseUnavailable(failed('23505'))).toBe(false); // unique violation
    expect(isDatabaseUnavailable(failed('22P02'))).toBe(false); // invalid input
    expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
    expect(isDatabaseUnavailable('not an error')).toBe(false);
  });
});
