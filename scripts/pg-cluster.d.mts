export const PW_USER: string;
export const PW_PASSWORD: string;
export const havePostgres: boolean;
export interface PgCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT — append /dbname. */
  base: string;
  stop(): void;
}
export function pgBinDir(): string | undefined;
export function startPgCluster(o?: { maxConnections?: number }): Promise<PgCluster>;
export function createDatabase(base: string, owner?: string): string;
export function psqlAdmin(url: string, sql: string): string;
export function holdAdvisoryLock(url: string, name: string): { held: Promise<void>; release(): void };
