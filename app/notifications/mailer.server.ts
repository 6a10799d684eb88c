import nodemailer from 'nodemailer'
import type { CalendarPart } from '../../emails/types.ts'
import type { Env } from '../env.server.ts'

export interface OutgoingMail {
  to: string
  subject: string
  text: string
  html: string
  /** Stable per delivery, so a resend after a crash carries the same Message-ID. */
  messageId: string
  icalEvent?: CalendarPart
}

export interface Mailer {
  /** 'outbox' when no SMTP is configured: messages are kept for the admin outbox page. */
  mode: 'smtp' | 'outbox'
  send(mail: OutgoingMail): Promise<void>
  close(): void
}

export function createMailer(env: Pick<Env, 'SMTP_URL' | 'MAIL_FROM' | 'MAIL_REPLY_TO'>): Mailer {
  if (!env.SMTP_URL) {
    return {
      mode: 'outbox',
      async send() {
        throw new Error('no SMTP configured: deliveries are stored in the outbox instead')
      },
      close() {},
    }
  }
  // A pooled transport: connections are reused across deliveries (the benchmark's throughput
  // depends on it). Timeouts keep a stuck server from holding a job past its lease. The options
  // go in the first argument with the URL: nodemailer's second argument is message defaults, and
  // pool options put there are silently ignored (a new connection per message, 10-minute
  // socket timeout).
  const transport = nodemailer.createTransport({
    url: env.SMTP_URL,
    pool: true,
    maxConnections: 5,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  })
  return {
    mode: 'smtp',
    async send(mail) {
      await transport.sendMail({
        from: env.MAIL_FROM,
        replyTo: env.MAIL_REPLY_TO,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        // nodemailer sends it as a text/calendar alternative with its `method` parameter (what
        // Outlook and Gmail act on) and again as an attachment for clients that want a file.
        icalEvent: mail.icalEvent ? { method: mail.icalEvent.method, content: mail.icalEvent.content, filename: mail.icalEvent.fileName } : undefined,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      })
    },
    close: () => transport.close(),
  }
}
