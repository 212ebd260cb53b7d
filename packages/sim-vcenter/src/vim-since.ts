// Placeholder; generated below.
export const TYPE_SINCE: Record<string, string> = {};
export const FIELD_SINCE: Record<string, string> = {};
