export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __rapportEmbedded?: { stop(): Promise<void> } }).__rapportEmbedded;
  if (db) await db.stop();
}
