/**
 * Entities to and from the JSON kept in each row's `doc` column. Dates survive the round
 * trip as {"$date": epochMs}; everything else is plain JSON.
 */

interface DateBox {
  $date: number;
}

function isDateBox(value: unknown): value is DateBox {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as Partial<DateBox>).$date === 'number'
  );
}

/** JSON text for `value`, with Dates boxed. */
export function encodeDocument(value: unknown): string {
  // A replacer sees Dates after Date#toJSON made them strings, so it reads the holder's own value.
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.getTime() } : converted;
  });
}

/** The entity `encodeDocument` wrote. */
export function decodeDocument<T>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => (isDateBox(value) ? new Date(value.$date) : value)) as T;
}
