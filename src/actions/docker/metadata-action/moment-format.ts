/**
 * Dates formatted as moment-timezone formats them for metadata-action's `{{date 'FORMAT' tz='Zone'}}`
 * and `{{commit_date …}}`: moment's tokens (YYYY, YY, Q, MMMM, MMM, MM, M, DDDD, DDD, DD, Do, D,
 * dddd, ddd, dd, d, E, e, ww, w, WW, W, HH, H, hh, h, kk, k, mm, m, ss, s, S…, A, a, ZZ, Z, X, x)
 * and `[literal]` text, in an IANA time zone (UTC by default) through Intl.
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const TOKENS =
  /\[([^\]]*)\]|YYYY|YY|Q|MMMM|MMM|MM|M|DDDD|DDD|Do|DD|D|dddd|ddd|dd|d|E|e|ww|w|WW|W|HH|H|hh|h|kk|k|mm|m|ss|s|S{1,9}|A|a|ZZ|Z|X|x/g;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  weekday: number;
  offsetMinutes: number;
}

function partsIn(date: Date, timeZone: string): Parts {
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
  } catch {
    throw new Error(`Unknown time zone ${timeZone}`);
  }
  const got: Record<string, string> = {};
  for (const p of formatter.formatToParts(date)) got[p.type] = p.value;
  const year = Number(got.year);
  const month = Number(got.month);
  const day = Number(got.day);
  const hour = Number(got.hour) % 24;
  const minute = Number(got.minute);
  const second = Number(got.second);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(got.weekday ?? 'Sun');
  return { year, month, day, hour, minute, second, ms: date.getUTCMilliseconds(), weekday, offsetMinutes };
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

function ordinal(n: number): string {
  const b = n % 10;
  const suffix = Math.floor((n % 100) / 10) === 1 ? 'th' : b === 1 ? 'st' : b === 2 ? 'nd' : b === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function dayOfYear(p: Parts): number {
  return Math.round((Date.UTC(p.year, p.month - 1, p.day) - Date.UTC(p.year, 0, 1)) / 86_400_000) + 1;
}

/** ISO week number (moment's W). */
function isoWeek(p: Parts): number {
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day));
  const day = (p.weekday + 6) % 7;
  date.setUTCDate(date.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  return (
    1 +
    Math.round(
      ((date.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7,
    )
  );
}

/** Locale week (moment's w in the default en locale: weeks start Sunday, week 1 holds Jan 1). */
function localeWeek(p: Parts): number {
  const jan1 = new Date(Date.UTC(p.year, 0, 1)).getUTCDay();
  return Math.floor((dayOfYear(p) - 1 + jan1) / 7) + 1;
}

function offset(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}${colon ? ':' : ''}${pad(Math.abs(minutes) % 60)}`;
}

/** Formats `date` in `timeZone` with a moment format string. */
export function formatMoment(date: Date, format: string, timeZone = 'UTC'): string {
  const p = partsIn(date, timeZone);
  return format.replace(TOKENS, (token, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY':
        return String(p.year).padStart(4, '0');
      case 'YY':
        return pad(p.year % 100);
      case 'Q':
        return String(Math.ceil(p.month / 3));
      case 'MMMM':
        return MONTHS[p.month - 1] ?? '';
      case 'MMM':
        return (MONTHS[p.month - 1] ?? '').slice(0, 3);
      case 'MM':
        return pad(p.month);
      case 'M':
        return String(p.month);
      case 'DDDD':
        return pad(dayOfYear(p), 3);
      case 'DDD':
        return String(dayOfYear(p));
      case 'Do':
        return ordinal(p.day);
      case 'DD':
        return pad(p.day);
      case 'D':
        return String(p.day);
      case 'dddd':
        return DAYS[p.weekday] ?? '';
      case 'ddd':
        return (DAYS[p.weekday] ?? '').slice(0, 3);
      case 'dd':
        return (DAYS[p.weekday] ?? '').slice(0, 2);
      case 'd':
      case 'e':
        return String(p.weekday);
      case 'E':
        return String(p.weekday === 0 ? 7 : p.weekday);
      case 'ww':
        return pad(localeWeek(p));
      case 'w':
        return String(localeWeek(p));
      case 'WW':
        return pad(isoWeek(p));
      case 'W':
        return String(isoWeek(p));
      case 'HH':
        return pad(p.hour);
      case 'H':
        return String(p.hour);
      case 'hh':
        return pad(p.hour % 12 || 12);
      case 'h':
        return String(p.hour % 12 || 12);
      case 'kk':
        return pad(p.hour || 24);
      case 'k':
        return String(p.hour || 24);
      case 'mm':
        return pad(p.minute);
      case 'm':
        return String(p.minute);
      case 'ss':
        return pad(p.second);
      case 's':
        return String(p.second);
      case 'A':
        return p.hour < 12 ? 'AM' : 'PM';
      case 'a':
        return p.hour < 12 ? 'am' : 'pm';
      case 'ZZ':
        return offset(p.offsetMinutes, false);
      case 'Z':
        return offset(p.offsetMinutes, true);
      case 'X':
        return String(Math.floor(date.getTime() / 1000));
      case 'x':
        return String(date.getTime());
      default:
        return pad(p.ms, 3).padEnd(token.length, '0').slice(0, token.length);
    }
  });
}
