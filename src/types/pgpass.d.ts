// pgpass ships no types; mlctl uses its helper (libpq's .pgpass format) with its own environment.
declare module 'pgpass/lib/helper.js';
