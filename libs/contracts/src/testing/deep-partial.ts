/**
 * Overrides for a factory. Nested objects merge; arrays and null replace; a
 * property set to `undefined` is removed, which is how a test drops a field.
 */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;
