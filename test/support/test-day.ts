/** The date every test runs on (support phases, defaults), so that no test depends on today. */
export const TEST_DAY = new Date('2026-11-28T12:00:00Z');
