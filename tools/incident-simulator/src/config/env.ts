/** The process environment, or a stand-in for it in tests. */
export type Env = Readonly<Record<string, string | undefined>>;
