import { describe, expect, it } from 'vitest';
import { api, type User } from '../../shared';
import { confirmError, fieldErrorsOf, formFieldOf, may, mayCall, messageForField, placeErrors, refusal } from './index';

describe('renderer form errors', () => {
  it('gives one message per field of the real channel schema, the first issue winning', () => {
    const parsed = api['cases.create'].input.safeParse({ reference: '', title: 'T', offenceCategory: 'piracy', purpose: 'p', legalBasis: 'l', authorisedBy: 'a', retentionDate: '1 Jan', passphrase: 'short' });
    expect(parsed.success).toBe(false);
    const errors = fieldErrorsOf(parsed.error!.issues);
    expect(errors.reference).toBe('Case reference is required');
    expect(errors.retentionDate).toBe('Use a date as YYYY-MM-DD');
    expect(errors.passphrase).toBe('Case passphrase needs at least 10 characters');
    expect(errors.offenceCategory).toBeDefined();
    expect(errors.title).toBeUndefined();
  });

  it('files an issue with no path under the empty key, for the form alert', () => {
    expect(fieldErrorsOf([{ path: [], message: 'Invalid input' }])).toEqual({ '': 'Invalid input' });
  });

  it('names nested fields by their dotted path, as main does', () => {
    const parsed = api['evidence.import'].input.safeParse({ paths: ['', '/media/usb'], options: { exhibitRef: '#bad', videoFramesPerSecond: 50 } });
    expect(parsed.success).toBe(false);
    const errors = fieldErrorsOf(parsed.error!.issues);
    expect(Object.keys(errors).sort()).toEqual(['options.exhibitRef', 'options.videoFramesPerSecond', 'paths.0']);
  });

  it('puts an error beside the nearest control that stands for its field, else in the alert', () => {
    const controls = new Set(['paths', 'options.exhibitRef', 'target']);
    const has = (name: string) => controls.has(name);
    expect(formFieldOf('options.exhibitRef', has)).toBe('options.exhibitRef');
    expect(formFieldOf('paths.3', has)).toBe('paths');
    expect(formFieldOf('target.watchlists.0', has)).toBe('target');
    expect(formFieldOf('maxFmr', has)).toBeNull();
    expect(formFieldOf(undefined, has)).toBeNull();
    expect(placeErrors({ 'paths.0': 'Empty path', 'paths.1': 'Also empty', maxFmr: 'No calibration' }, has)).toEqual({ paths: 'Empty path', '': 'No calibration' });
  });

  it('says beside the Confirm field when it does not repeat the secret, and nothing when it does', () => {
    expect(confirmError('a long passphrase', 'a long passphrase', 'passphrases')).toEqual({});
    expect(confirmError('a long passphrase', 'a long passphrase ', 'passphrases')).toEqual({ confirm: 'The two passphrases are not the same' });
    expect(confirmError('correct horse', '', 'passwords')).toEqual({ confirm: 'The two passwords are not the same' });
  });

  it('drops the field prefix main puts on schema messages, but keeps other sentences whole', () => {
    expect(messageForField({ code: 'invalid_input', field: 'username', message: 'username: User name needs at least 2 characters' })).toBe('User name needs at least 2 characters');
    expect(messageForField({ code: 'conflict', field: 'username', message: 'A user called ann already exists.' })).toBe('A user called ann already exists.');
  });
});

describe('renderer permissions', () => {
  it('reads who may do what from the contract', () => {
    expect(may('auditor', 'cases.create')).toBe(false);
    expect(may('analyst', 'cases.create')).toBe(true);
    expect(may('analyst', 'users.list')).toBe(false);
    expect(may(undefined, 'session.signIn')).toBe(true);
    expect(may(undefined, 'cases.list')).toBe(false);
    expect(refusal('auditor', 'cases.create')).toBe('Your role (Auditor) may not do this: create an encrypted case and open it.');
    expect(refusal('auditor', 'search.run')).toBe('Your role (Auditor) may not do this: search a probe face against the case and/or watch lists (1:N); candidates are leads, not identifications.');
  });

  it("asks the channel's policy on the input, as main does (which audit chain a role may read)", () => {
    const as = (role: User['role']): User => ({ id: 'user-1', username: 'x', displayName: 'X', role, disabled: false, createdAt: '2026-01-01T00:00:00.000Z', createdBy: null });
    expect(mayCall(as('analyst'), 'audit.list', { chain: 'workstation' })).toBe(false);
    expect(mayCall(as('analyst'), 'audit.list', { chain: 'case' })).toBe(true);
    expect(mayCall(as('auditor'), 'audit.list', { chain: 'workstation' })).toBe(true);
    expect(mayCall(as('auditor'), 'cases.create', {} as never)).toBe(false);
  });
});
