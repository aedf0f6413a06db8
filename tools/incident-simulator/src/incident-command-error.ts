export type IncidentCommandErrorKind = 'invalid' | 'not_found' | 'conflict';

/** A command the simulator refuses: bad input, an unknown incident, or an illegal transition. */
export class IncidentCommandError extends Error {
  override readonly name = 'IncidentCommandError';

  constructor(
    readonly kind: IncidentCommandErrorKind,
    message: string,
  ) {
    super(message);
  }
}
