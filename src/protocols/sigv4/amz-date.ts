/**
 * SigV4 timestamps: ISO 8601 basic format, `YYYYMMDDTHHMMSSZ`, always UTC. Parsing is strict
 * (a calendar date that does not exist is rejected) and never throws.
 */

const BASIC_FORMAT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The instant an ISO 8601 basic timestamp names, or undefined when it is not one. */
export function parseAmzDate(text: string): Date | undefined {
  const match = BASIC_FORMAT.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(millis);
  // Date.UTC rolls 20240230 over to March 1st; a real timestamp survives the round trip.
  return formatAmzDate(date) === text ? date : undefined;
}

/** Formats an instant as `YYYYMMDDTHHMMSSZ` (milliseconds dropped). */
export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
