import { getTableColumns, sql, type SQL } from 'drizzle-orm'
import { toSnakeCase } from 'drizzle-orm/casing'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { Executor } from '../db/client.ts'

// Many rows in one statement with one bound parameter: the batch travels as a JSON array and
// the database unpacks it with jsonb_populate_recordset, typed by the table's own row type.
// The same SQL runs on both drivers (postgres.js and PGlite), through Drizzle, at close to COPY
// speed. Drizzle's multi-row `insert().values()` binds one parameter per value and spends
// ~2.5 ms per 48-column row building the statement on a busy 2-core machine, which would make
// seeding 100k incidents take minutes before anything is measured.
//
// Rows are the table's insert type, keyed by property; keys become column names the way the
// client's `casing: 'snake_case'` names them. Every row must carry the same keys: a key left out
// of the first row is left out of the insert (its column takes its default), and a key present
// in the first row but missing from another is NULL there, not the default.

export async function insertMany<T extends PgTable>(db: Executor, table: T, rows: T['$inferInsert'][]): Promise<void> {
  if (rows.length === 0) return
  const columns = getTableColumns(table)
  const keys = Object.keys(rows[0]!).filter((k) => k in columns)
  const names = keys.map((k) => {
    const column = columns[k]!
    return column.keyAsName ? toSnakeCase(column.name) : column.name
  })
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(keys.map((k, i) => [names[i], (row as Record<string, unknown>)[k] ?? null]))))
  const list: SQL = sql.join(
    names.map((n) => sql.identifier(n)),
    sql`, `,
  )
  await db.execute(sql`insert into ${table} (${list}) select ${list} from jsonb_populate_recordset(null::${table}, ${json}::jsonb)`)
}
