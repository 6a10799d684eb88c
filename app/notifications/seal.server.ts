import crypto from 'node:crypto'

// Secrets that must reach an email but must not sit readable in the database (an invitation
// token: only its hash is stored for verification) are sealed with AES-256-GCM under a key
// derived from SESSION_SECRET, and wiped once the email is settled.
function key(secret: string) {
  return crypto.createHash('sha256').update(`csirtnet:sealed:v1:${secret}`).digest()
}

export function seal(secret: string, value: Record<string, string>): string {
  const iv = crypto.randomBytes(12)
  const cipher = crypto.createCipheriv('aes-256-gcm', key(secret), iv)
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()])
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.')
}

export function unseal(secret: string, sealed: string): Record<string, string> | null {
  try {
    const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'))
    const decipher = crypto.createDecipheriv('aes-256-gcm', key(secret), iv!)
    decipher.setAuthTag(tag!)
    return JSON.parse(Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8'))
  } catch {
    return null
  }
}
