import fs from 'node:fs'
import path from 'node:path'
import { simpleParser, type ParsedMail } from 'mailparser'
import { inject } from 'vitest'

// The mail the server under test sent: the global set-up's SMTP sink writes every accepted
// message to a directory (one .eml each), read and parsed here with mailparser.

/** Every message accepted so far, parsed. */
export async function sentMail(): Promise<ParsedMail[]> {
  const dir = inject('mailDir')
  const files = (await fs.promises.readdir(dir)).filter((f) => f.endsWith('.eml')).sort()
  return Promise.all(files.map(async (f) => simpleParser(await fs.promises.readFile(path.join(dir, f)))))
}

const recipients = (mail: ParsedMail) =>
  (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()))

/** Waits for a message to `to` that `match` accepts; the worker sends within seconds. */
export async function waitForMail(to: string, match: (mail: ParsedMail) => boolean, timeoutMs = 45_000): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = (await sentMail()).find((m) => recipients(m).includes(to.toLowerCase()) && match(m))
    if (found) return found
    if (Date.now() > deadline) {
      const seen = (await sentMail()).filter((m) => recipients(m).includes(to.toLowerCase())).map((m) => m.subject)
      throw new Error(`no matching mail to ${to} within ${timeoutMs / 1000} s; to them: ${JSON.stringify(seen)}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}
