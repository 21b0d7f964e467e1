import path from 'node:path';
import { GROUPS_FILE_HELP, GroupsJson, LoupeError, visibleText } from '../../shared';

/** A groups file read and checked against the data: every image's group label. */
export interface Groups {
  grouping: string;
  by: 'person' | 'image';
  labels: string[];
  /** Index into labels for each image, in the order given. */
  ofImage: number[];
}

const bad = (file: string, what: string) => new LoupeError('invalid_input', `Groups file ${path.basename(file)}: ${what}. ${GROUPS_FILE_HELP}`);

/** Parses the CSV or JSON text of a groups file into its grouping and its person (or image) -> label map. */
export function parseGroups(file: string, text: string): { grouping: string; by: 'person' | 'image'; map: Map<string, string> } {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw bad(file, `it is not valid JSON (${(err as Error).message})`);
    }
    const parsed = GroupsJson.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw bad(file, `${issue?.path.length ? `at ${issue.path.join('.')}: ` : ''}${issue?.message ?? 'not a groups file'}`);
    }
    const by = parsed.data.people ? 'person' : 'image';
    return { grouping: parsed.data.grouping, by, map: new Map(Object.entries(parsed.data.people ?? parsed.data.images ?? {})) };
  }
  const lines = trimmed.split(/\r?\n/).map((l, i) => ({ n: i + 1, l: l.trim() })).filter((x) => x.l !== '' && !x.l.startsWith('#'));
  const header = lines.shift();
  const cells = (l: string) => l.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  const head = header ? cells(header.l) : [];
  const by = head[0]?.toLowerCase();
  if (head.length !== 2 || (by !== 'person' && by !== 'image') || !head[1]) {
    throw bad(file, `its first line must be "person,<grouping>" or "image,<grouping>", not "${visibleText(header?.l ?? '')}"`);
  }
  const map = new Map<string, string>();
  for (const { n, l } of lines) {
    const row = cells(l);
    if (row.length !== 2) throw bad(file, `line ${n} has ${row.length} fields where 2 were expected ("${visibleText(l)}")`);
    const [key, label] = row as [string, string];
    if (!key) throw bad(file, `line ${n} names no ${by}`);
    if (!label) throw bad(file, `line ${n} gives ${visibleText(key)} no group label`);
    if (label.length > 60) throw bad(file, `line ${n}: a group label is longer than 60 characters`);
    if (map.has(key)) throw bad(file, `line ${n} gives ${visibleText(key)} a second time`);
    map.set(key, label);
  }
  return { grouping: head[1], by, map };
}

/**
 * Gives every image its group. An image is named by its path under its data folder with
 * forward slashes (ORL_s1/1.pgm); a person by their folder's name. Names the file gives
 * that the data does not hold, and people or images it leaves without a label, are errors.
 */
export function assignGroups(file: string, text: string, images: readonly { person: string; key: string }[]): Groups {
  const { grouping, by, map } = parseGroups(file, text);
  const names = new Set(images.map((i) => (by === 'person' ? i.person : i.key)));
  const unknown = [...map.keys()].filter((k) => !names.has(k));
  const list = (xs: string[]) => `${xs.slice(0, 5).map((x) => visibleText(x)).join(', ')}${xs.length > 5 ? ` and ${xs.length - 5} more` : ''}`;
  if (unknown.length > 0) throw bad(file, `it names ${unknown.length} ${by === 'person' ? 'people' : 'images'} the data does not hold (${list(unknown)}); check the spelling against the folder names`);
  const missing = [...names].filter((k) => !map.has(k)).sort();
  if (missing.length > 0) throw bad(file, `it gives no group to ${missing.length} ${by === 'person' ? 'people' : 'images'} of the data (${list(missing)})`);
  const labels = [...new Set(map.values())].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  return { grouping, by, labels, ofImage: images.map((i) => index.get(map.get(by === 'person' ? i.person : i.key)!)!) };
}
