import { hash, verify, type Algorithm } from '@node-rs/argon2'
import { COMMON_PASSWORDS } from './common-passwords.ts'

// argon2id with OWASP's minimum parameters (m=19 MiB, t=2, p=1; ASVS 11.4.2).
const OPTIONS = { algorithm: 2 as Algorithm /* Argon2id; a const enum cannot be imported under isolatedModules */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 256

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS)
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

// A hash of a random string, so that a login for an unknown address costs the same time as
// one for a real account (no account enumeration through timing).
let dummyHash: Promise<string> | undefined
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword(crypto.randomUUID())
  await verifyPassword(await dummyHash, password)
}

/** Returns an i18n key describing why the password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if (password.length < PASSWORD_MIN) return 'validation.passwordTooShort'
  if (password.length > PASSWORD_MAX) return 'validation.passwordTooLong'
  const lower = password.toLowerCase()
  if (COMMON_PASSWORDS.has(lower) || /^(.)\1+$/.test(password)) return 'validation.passwordCommon'
  const local = context.email?.split('@')[0]?.toLowerCase()
  if (local && local.length >= 4 && lower.includes(local)) return 'validation.passwordContainsEmail'
  return null
}
