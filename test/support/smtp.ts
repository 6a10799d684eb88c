import fs from 'node:fs'
import path from 'node:path'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  to: string[]
  messageId: string | undefined
  subject: string
  text: string
  html: string
  parsed: ParsedMail
}

/**
 * A real SMTP server in the test process (smtp-server), receiving on 127.0.0.1 and parsing
 * each message with mailparser. `refuse` makes it answer 451 (a temporary failure) until
 * reset; `hold` keeps the DATA phase waiting, to catch a sender mid-send. With `saveTo`, each
 * accepted message is also written there as an .eml file, for readers in other processes (the
 * browser journeys' test workers).
 */
export async function startSmtpSink(opts: { saveTo?: string } = {}) {
  const received: ReceivedMail[] = []
  const state = { refuse: false, holdMs: 0, refusedCount: 0, dataStarted: 0, connectionErrors: 0 }
  // A message counts as accepted only if its connection is still open when we answer 250: a
  // sender killed mid-DATA never got an acceptance, exactly as with a real server.
  const closedSessions = new Set<string>()
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onClose(session) {
      closedSessions.add(session.id)
    },
    onData(stream, session, callback) {
      state.dataStarted++
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', async () => {
        if (state.refuse) {
          state.refusedCount++
          const err = Object.assign(new Error('Try again later'), { responseCode: 451 })
          return callback(err)
        }
        if (state.holdMs) await new Promise((r) => setTimeout(r, state.holdMs))
        if (closedSessions.has(session.id)) return callback(new Error('connection closed before acceptance'))
        try {
          const parsed = await simpleParser(Buffer.concat(chunks))
          const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''))
          received.push({ to, messageId: parsed.messageId, subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', parsed })
          if (opts.saveTo) {
            // Written whole under a temporary name, then renamed: a reader never sees half a message.
            const file = path.join(opts.saveTo, `${Date.now()}-${received.length}-${session.id}.eml`)
            await fs.promises.writeFile(`${file}.part`, Buffer.concat(chunks))
            await fs.promises.rename(`${file}.part`, file)
          }
          callback()
        } catch (error) {
          callback(error as Error)
        }
      })
    },
  })
  // A sender killed mid-DATA resets its connection; smtp-server reports that as an 'error' event,
  // which, unheard, would be an uncaught exception in the test run. A real server logs it and goes on.
  server.on('error', (error: NodeJS.ErrnoException) => {
    state.connectionErrors++
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') console.error('smtp sink:', error)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as { port: number }).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    state,
    async waitFor(n: number, timeoutMs = 30_000) {
      const start = Date.now()
      while (received.length < n) {
        if (Date.now() - start > timeoutMs) throw new Error(`expected ${n} messages, got ${received.length}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      return received
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>
