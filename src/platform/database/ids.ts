import { v7 } from 'uuid';

/** Time-ordered UUIDv7, made by the app (DESIGN §5). */
export const newId = (): string => v7();

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
