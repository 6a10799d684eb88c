import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

// The environment is read and validated once, at start-up; a bad value stops the process
// with a message naming the variable. The browser never sees any of this.
const booleanish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes')

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    APP_ENV: z.enum(['development', 'demo', 'production', 'test']).optional(),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    // Unset: every interface, IPv4 and IPv6 (so http://localhost works whichever it resolves to).
    HOST: z.string().min(1).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    // Incident evidence files (generated names); default DATA_DIR/attachments.
    ATTACHMENTS_DIR: z.string().min(1).optional(),
    ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(2 * 1024 ** 3).default(25 * 1024 * 1024),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    MIGRATE_ON_START: booleanish.default(true),
    SEED_DEMO: booleanish.optional(),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('CSIRT Net <no-reply@csirt.localhost>'),
    MAIL_REPLY_TO: z.string().optional(),
    APP_URL: z.string().url().optional(),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    TRUST_PROXY: booleanish.default(false),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    // Run the background worker inside this process. Embedded mode always does; on PostgreSQL,
    // set it to false on web instances when dedicated `npm run worker` processes run.
    RUN_WORKER: booleanish.default(true),
    // How long a worker holds a delivery while sending it; a worker that dies releases it after
    // this (the send job expires 10 s later). Retry delays double from EMAIL_RETRY_DELAY.
    DELIVERY_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    EMAIL_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
    EMAIL_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(8),
    // How often the queue looks for jobs whose worker died.
    JOB_SUPERVISE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  })
  .transform((env) => {
    const appEnv = env.APP_ENV ?? (env.NODE_ENV === 'test' ? 'test' : env.DATABASE_URL ? 'production' : 'demo')
    return {
      ...env,
      APP_ENV: appEnv,
      APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
      DATA_DIR: path.resolve(env.DATA_DIR),
      ATTACHMENTS_DIR: path.resolve(env.ATTACHMENTS_DIR ?? path.join(env.DATA_DIR, 'attachments')),
      // Demo accounts with printed passwords exist only in demo and development, never in production.
      SEED_DEMO: appEnv === 'production' ? false : (env.SEED_DEMO ?? (appEnv === 'demo' || appEnv === 'development')),
    }
  })
  .superRefine((env, ctx) => {
    if (env.APP_ENV === 'production' && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when APP_ENV=production' })
    }
    if (env.APP_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required when APP_ENV=production' })
    }
  })

export type Env = z.output<typeof EnvSchema> & { SESSION_SECRET: string }

export class EnvError extends Error {}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = EnvSchema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(env)'}: ${i.message}`)
    throw new EnvError(`Invalid environment configuration:\n${lines.join('\n')}`)
  }
  const env = parsed.data
  return { ...env, SESSION_SECRET: env.SESSION_SECRET ?? embeddedSecret(env) }
}

// In embedded mode the secret is generated once and kept in the data directory, so sessions
// and signed links survive restarts without any set-up.
function embeddedSecret(env: z.output<typeof EnvSchema>): string {
  if (env.DATABASE_URL) return crypto.randomBytes(32).toString('base64url')
  const file = path.join(env.DATA_DIR, 'session-secret')
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    fs.mkdirSync(env.DATA_DIR, { recursive: true })
    const secret = crypto.randomBytes(32).toString('base64url')
    fs.writeFileSync(file, secret, { mode: 0o600 })
    return secret
  }
}
