/**
 * The one typed error of the reports: input a user handed us is unusable (a result folder without
 * summary.json, a malformed one, results that cannot be merged). The CLI turns it into exit code 2
 * and prints the message, which is always one line naming the file or the conflicting inputs.
 * Bugs in the reports themselves are plain exceptions, never this.
 */

/** What is wrong with the input. */
export type ReportInputErrorCode =
  /** The folder or its summary.json does not exist or cannot be read. */
  | 'SUMMARY_MISSING'
  /** summary.json is not JSON, has another schema, or a field has the wrong type. */
  | 'SUMMARY_MALFORMED'
  /** The results come from different campaigns, or their shards overlap or leave gaps. */
  | 'NOT_MERGEABLE';

/** Unusable input to `readResultDir` or `mergeResults`; see {@link ReportInputErrorCode}. */
export class ReportInputError extends Error {
  override readonly name = 'ReportInputError';
  /**
   * @param code - the kind of problem
   * @param message - one line, naming the file or the inputs concerned
   */
  constructor(readonly code: ReportInputErrorCode, message: string) {
    super(message);
  }
}
