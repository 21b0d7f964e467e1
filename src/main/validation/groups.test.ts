import { describe, expect, it } from 'vitest';
import { assignGroups } from './groups';

const images = [
  { person: 'ORL_s1', key: 'ORL_s1/1.pgm' },
  { person: 'ORL_s1', key: 'ORL_s1/2.pgm' },
  { person: 'bbt_amy', key: 'bbt_amy/0.jpg' },
];

describe('groups file', () => {
  it('reads CSV by person and by image, and JSON', () => {
    expect(assignGroups('g.csv', 'person,source\nORL_s1,ORL\n# a comment\nbbt_amy,"bbt"\n', images)).toEqual({ grouping: 'source', by: 'person', labels: ['ORL', 'bbt'], ofImage: [0, 0, 1] });
    expect(assignGroups('g.csv', 'image,colour\r\nORL_s1/1.pgm,grey\r\nORL_s1/2.pgm,colour\r\nbbt_amy/0.jpg,grey\r\n', images).ofImage).toEqual([1, 0, 1]);
    expect(assignGroups('g.json', JSON.stringify({ grouping: 'source', people: { ORL_s1: 'ORL', bbt_amy: 'bbt' } }), images)).toMatchObject({ grouping: 'source', by: 'person', labels: ['ORL', 'bbt'] });
  });

  it('refuses people the data does not hold, people left without a group, and bad rows, saying which', () => {
    expect(() => assignGroups('g.csv', 'person,source\nORL_s1,ORL\nbbt_amy,bbt\nORL_s9,ORL\n', images)).toThrow(/names 1 people the data does not hold \(ORL_s9\)/);
    expect(() => assignGroups('g.csv', 'person,source\nORL_s1,ORL\n', images)).toThrow(/gives no group to 1 people of the data \(bbt_amy\)/);
    expect(() => assignGroups('g.csv', 'person,source\nORL_s1,ORL,extra\n', images)).toThrow(/line 2 has 3 fields where 2 were expected/);
    expect(() => assignGroups('g.csv', 'person,source\nORL_s1,\n', images)).toThrow(/line 2 gives ORL_s1 no group label/);
    expect(() => assignGroups('g.csv', 'person,source\nORL_s1,ORL\nORL_s1,bbt\n', images)).toThrow(/line 3 gives ORL_s1 a second time/);
    expect(() => assignGroups('g.csv', 'name,source\n', images)).toThrow(/first line must be "person,<grouping>" or "image,<grouping>"/);
    expect(() => assignGroups('g.json', '{"grouping": "source", "people": {"ORL_s1": ""}}', images)).toThrow(/at people.ORL_s1: a group label is empty/);
    expect(() => assignGroups('g.json', '{"grouping": "source"', images)).toThrow(/not valid JSON/);
    // Every message says what a groups file is.
    expect(() => assignGroups('g.csv', 'person,source\n', images)).toThrow(/A groups file is CSV with the header/);
  });
});
