/** `2026-03-01 14:05`: a moment to the minute, in UTC, as the console and transcripts show it. */
export const utcMinute = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

/** `2026-03-01`: the UTC day of a moment, as date inputs and file names write it. */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One `<option>` of a filter: its value, its label and whether it is the one chosen. */
export const option = (value: string, label: string, current?: string) => ({ value, label, selected: value === current });
