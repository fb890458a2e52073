// Input schemas of the admin job APIs (lake export, models): lake table names, Delta versions,
// job run ids. Kept apart from the route files so unit tests can check them.
import { z } from 'zod';
import { LAKE_TABLES, type LakeTableName } from '../lake/lake-tables.ts';

const tableNames = LAKE_TABLES.map((t) => t.name) as [LakeTableName, ...LakeTableName[]];

export const lakeTableSchema = z.enum(tableNames);
/** A Delta version: a non-negative integer, as path text. */
export const deltaVersionSchema = z
  .string()
  .regex(/^\d{1,9}$/, 'a Delta version is a non-negative integer')
  .transform(Number);
export const jobRunIdSchema = z.uuid();
