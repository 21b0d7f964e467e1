/**
 * How repeated wrong passwords are slowed down, counted per user name as typed. Names that
 * do not exist are counted, delayed and locked exactly like real ones, so no answer tells
 * whether a name exists.
 * - The first 3 consecutive wrong passwords cost nothing.
 * - From the 3rd on, the next attempt is refused unchecked until a wait has passed: 5 s,
 *   doubling with each further wrong password (5, 10, 20 ... 320 s).
 * - The 10th consecutive wrong password locks the name until a supervisor unlocks it. A locked
 *   account refuses the right password too, so a lock cannot be used to test passwords.
 * - The right password, when it may be tried, clears the count.
 * - A supervisor account that no other active, unlocked supervisor could unlock releases
 *   itself an hour after it locked, so a workstation cannot be locked out of for good.
 */
export const SIGN_IN_POLICY = {
  freeFailures: 3,
  firstWaitSeconds: 5,
  lockAfter: 10,
  soleSupervisorReleaseMinutes: 60,
} as const;

/** Seconds to wait after `failures` consecutive wrong passwords before the next one is checked. */
export function waitSeconds(failures: number): number {
  if (failures < SIGN_IN_POLICY.freeFailures) return 0;
  return SIGN_IN_POLICY.firstWaitSeconds * 2 ** (failures - SIGN_IN_POLICY.freeFailures);
}

export const LOCKED_MESSAGE = `This account is locked after ${SIGN_IN_POLICY.lockAfter} wrong passwords in a row. A supervisor can unlock it on the Users screen (or with loupe user unlock).`;
