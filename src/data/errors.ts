/**
 * Errors for bad input data: each names the file (and row) and what is wrong with it.
 *
 * @packageDocumentation
 */

/** Bad input data: an unreadable image, a malformed CSV row, an unknown label, a missing path. */
export class FerDataError extends Error {
  /** The file (or URL or description of the source) the problem is in. */
  readonly source?: string;
  /** 1-based row number for CSV input. */
  readonly row?: number;

  constructor(message: string, where: { source?: string; row?: number } = {}) {
    const prefix = where.source ? `${where.source}${where.row !== undefined ? `, row ${where.row}` : ''}: ` : '';
    super(prefix + message);
    this.name = 'FerDataError';
    this.source = where.source;
    this.row = where.row;
  }
}
