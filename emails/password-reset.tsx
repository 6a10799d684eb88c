import { Button, EmailLayout } from './_components/layout.tsx'
import { fill, MESSAGES } from './messages.ts'
import { toHtml, toText } from './render.tsx'
import type { EmailContext, RenderedEmail } from './types.ts'

export interface PasswordResetProps {
  recipientName: string
  link: string
  expiresAt: string
}

export function renderPasswordReset(p: PasswordResetProps, ctx: EmailContext): RenderedEmail {
  const m = MESSAGES[ctx.locale]
  const greeting = fill(m.passwordReset.greeting, { name: p.recipientName })
  const expires = fill(m.passwordReset.expires, { expires: ctx.formatTime(p.expiresAt) })
  return {
    subject: m.passwordReset.subject,
    text: toText([greeting, m.passwordReset.body, `${m.passwordReset.action}: ${p.link}`, expires, m.passwordReset.ignore, '— ' + m.footer]),
    html: toHtml(
      <EmailLayout lang={ctx.locale} heading={m.passwordReset.subject} footer={m.footer}>
        <p>{greeting}</p>
        <p>{m.passwordReset.body}</p>
        <Button href={p.link}>{m.passwordReset.action}</Button>
        <p>{expires}</p>
        <p>{m.passwordReset.ignore}</p>
      </EmailLayout>,
    ),
  }
}

export const previewPasswordReset: PasswordResetProps = {
  recipientName: 'Trần Thị Bình',
  link: 'http://localhost:3000/invite/abcdefghijklmnopqrstuvwxyz234567',
  expiresAt: '2026-11-22T09:00:00Z',
}
