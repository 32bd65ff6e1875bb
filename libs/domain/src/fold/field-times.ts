import type { JsonObject } from '../event-contract/change-event';
import { mergePatch } from './merge-patch';

/**
 * The client event times (`ts`) a record's top-level fields were last written at, by set or merge.
 * A timed set decides every field, also those it lacks (it removes them) and those no event has
 * named yet: its time is `lastSet`, the time of every field `fields` does not list. `fields` lists
 * the fields written at another time (a merge, or a set older than `lastSet` on a field it won),
 * removals included, so an older write can neither overwrite a field nor bring a removed one back.
 * Never mutated: a write builds a new value, so shallow copies of a record may share it.
 */
export interface FieldTimes {
  readonly lastSet?: number;
  readonly fields: Readonly<Record<string, number>>;
}

/** After a write with event time `at`: the state and the field times. */
export interface TimedWrite {
  state: JsonObject;
  times: FieldTimes;
}

/** The time `key` was last written at, if any (own keys only: a field may be called `toString`). */
function timeOf(times: FieldTimes | undefined, key: string): number | undefined {
  if (times === undefined) return undefined;
  return Object.hasOwn(times.fields, key) ? times.fields[key] : times.lastSet;
}

/** Last writer wins by event time; on equal times the later event in Kafka order (this one) wins. */
function wins(stored: number | undefined, at: number): boolean {
  return stored === undefined || stored <= at;
}

/**
 * `set` at event time `at`: every field it wins takes the set's value, or is removed when the set
 * lacks it; the others keep theirs. Fields at or below the new `lastSet` need no entry of their own.
 */
export function setAtTime(current: JsonObject | null, data: JsonObject, at: number, times: FieldTimes | undefined): TimedWrite {
  const lastSet = Math.max(at, times?.lastSet ?? at);
  const state: JsonObject = Object.create(null);
  const fields: Record<string, number> = Object.create(null);
  const keys = new Set([...Object.keys(current ?? {}), ...Object.keys(data), ...Object.keys(times?.fields ?? {})]);
  for (const key of keys) {
    const stored = timeOf(times, key);
    const won = wins(stored, at);
    const time = won || stored === undefined ? at : stored;
    if (time !== lastSet) fields[key] = time;
    if (won) {
      if (Object.hasOwn(data, key)) state[key] = data[key];
    } else if (current && Object.hasOwn(current, key)) state[key] = current[key];
  }
  // A set older than lastSet wins no field no event has named: they keep lastSet.
  return { state, times: { lastSet, fields } };
}

/** `merge` at event time `at`: RFC 7396 on each top-level field of the patch it wins; the rest is left alone. */
export function mergeAtTime(current: JsonObject | null, patch: JsonObject, at: number, times: FieldTimes | undefined): TimedWrite {
  const state: JsonObject = Object.create(null);
  if (current) for (const key of Object.keys(current)) state[key] = current[key];
  const fields: Record<string, number> = Object.create(null);
  if (times) for (const key of Object.keys(times.fields)) fields[key] = times.fields[key];
  for (const key of Object.keys(patch)) {
    if (!wins(timeOf(times, key), at)) continue;
    fields[key] = at;
    const value = patch[key];
    if (value === null) delete state[key];
    else state[key] = mergePatch(state[key], value);
  }
  return { state, times: times?.lastSet === undefined ? { fields } : { lastSet: times.lastSet, fields } };
}
