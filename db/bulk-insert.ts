import { getTableColumns, sql, type SQL } from 'drizzle-orm'
import { toSnakeCase } from 'drizzle-orm/casing'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import { rowsOf, type Executor } from './client.ts'

// Many rows in one statement with one bound parameter: the batch travels as a JSON array and
// the database unpacks it with jsonb_populate_recordset, typed by the table's own row type.
// The same SQL runs on both drivers (postgres.js and PGlite), through Drizzle, at close to COPY
// speed. Drizzle's multi-row `insert().values()` binds one parameter per value and spends
// ~2.5 ms per 48-column row building the statement on a busy 2-core machine, which made a
// 100k-line indicator import spend most of its time in the query builder, and would make
// seeding 100k incidents for the benchmark take minutes before anything is measured.
//
// Rows are the table's insert type, keyed by property; keys become column names the way the
// client's `casing: 'snake_case'` names them. Every row must carry the same keys: a key left out
// of the first row is left out of the insert (its column takes its default), and a key present
// in the first row but missing from another is NULL there, not the default.

const columnName = (column: PgColumn) => (column.keyAsName ? toSnakeCase(column.name) : column.name)

function insertStatement<T extends PgTable>(table: T, rows: T['$inferInsert'][]): { list: SQL; json: string } {
  const columns = getTableColumns(table)
  const keys = Object.keys(rows[0]!).filter((k) => k in columns)
  const names = keys.map((k) => columnName(columns[k]!))
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(keys.map((k, i) => [names[i], (row as Record<string, unknown>)[k] ?? null]))))
  const list: SQL = sql.join(
    names.map((n) => sql.identifier(n)),
    sql`, `,
  )
  return { list, json }
}

export async function insertMany<T extends PgTable>(db: Executor, table: T, rows: T['$inferInsert'][]): Promise<void> {
  if (rows.length === 0) return
  const { list, json } = insertStatement(table, rows)
  await db.execute(sql`insert into ${table} (${list}) select ${list} from jsonb_populate_recordset(null::${table}, ${json}::jsonb)`)
}

type Returned<R extends Record<string, PgColumn>> = { [K in keyof R]: R[K]['_']['data'] }

/**
 * insertMany that skips rows a unique index already holds (ON CONFLICT DO NOTHING) and returns
 * the `returning` columns of the rows it did insert, read back through each column's own mapping.
 */
export async function insertManyIgnoringConflicts<T extends PgTable, R extends Record<string, PgColumn>>(
  db: Executor,
  table: T,
  rows: T['$inferInsert'][],
  returning: R,
): Promise<Returned<R>[]> {
  if (rows.length === 0) return []
  const { list, json } = insertStatement(table, rows)
  const wanted = Object.entries(returning)
  const returned = sql.join(
    wanted.map(([alias, column]) => sql`${sql.identifier(columnName(column))} as ${sql.identifier(alias)}`),
    sql`, `,
  )
  const result = await db.execute(
    sql`insert into ${table} (${list}) select ${list} from jsonb_populate_recordset(null::${table}, ${json}::jsonb) on conflict do nothing returning ${returned}`,
  )
  return rowsOf<Record<string, unknown>>(result).map(
    (row) => Object.fromEntries(wanted.map(([alias, column]) => [alias, row[alias] === null ? null : column.mapFromDriverValue(row[alias])])) as Returned<R>,
  )
}
