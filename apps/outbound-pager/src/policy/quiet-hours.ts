export interface QuietHours {
  start: string;
  end: string;
  timezone: string;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight of `at` in `timezone`, daylight saving included (via Intl). */
export function localMinutes(at: Date, timezone: string): number {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, formatter);
  }
  const parts = formatter.formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  return hour * 60 + minute;
}

/**
 * Whether `at` falls in the daily window [start, end) on the wall clock of the channel's time
 * zone. A window whose start is after its end spans midnight (22:00–07:00); equal start and end
 * means no quiet time.
 */
export function isWithinQuietHours(at: Date, quietHours: QuietHours | null): boolean {
  if (!quietHours) return false;
  const start = minutesOf(quietHours.start);
  const end = minutesOf(quietHours.end);
  if (start === end) return false;
  const now = localMinutes(at, quietHours.timezone);
  return start < end ? now >= start && now < end : now >= start || now < end;
}
