import { timestamp, uuid } from 'drizzle-orm/pg-core'

// Shared columns. Timestamps are timestamptz and always stored in UTC; the UI converts
// to the reader's zone (Asia/Ho_Chi_Minh by default).
export const id = () => uuid().primaryKey().defaultRandom()
export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow()
export const updatedAt = () =>
  timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date())
export const timestamps = { createdAt: createdAt(), updatedAt: updatedAt() }
