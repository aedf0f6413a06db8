function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies factory overrides; see `DeepPartial` for the rules. */
export function mergeOverrides<T>(base: T, overrides: unknown): T {
  if (!isRecord(base) || !isRecord(overrides)) return base;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) {
      delete result[key];
    } else if (isRecord(value) && isRecord(result[key])) {
      result[key] = mergeOverrides(result[key], value);
    } else {
      result[key] = value;
    }
  }
  return result as T;
}
