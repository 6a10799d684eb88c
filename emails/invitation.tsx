import { Button, EmailLayout } from './_components/layout.tsx'
import { fill, MESSAGES } from './messages.ts'
import { toHtml, toText } from './render.tsx'
import type { EmailContext, RenderedEmail } from './types.ts'

export interface InvitationProps {
  recipientName: string
  inviterName: string
  organisationName: string
  roleLabel: string
  link: string
  expiresAt: string
}

export function renderInvitation(p: InvitationProps, ctx: EmailContext): RenderedEmail {
  const m = MESSAGES[ctx.locale]
  const body = fill(m.invitation.body, { inviter: p.inviterName, organisation: p.organisationName, role: p.roleLabel })
  const expires = fill(m.invitation.expires, { expires: ctx.formatTime(p.expiresAt) })
  const greeting = fill(m.invitation.greeting, { name: p.recipientName })
  return {
    subject: m.invitation.subject,
    text: toText([greeting, body, `${m.invitation.action}: ${p.link}`, expires, m.invitation.ignore, '— ' + m.footer]),
    html: toHtml(
      <EmailLayout lang={ctx.locale} heading={m.invitation.subject} footer={m.footer}>
        <p>{greeting}</p>
        <p>{body}</p>
        <Button href={p.link}>{m.invitation.action}</Button>
        <p>{expires}</p>
        <p>{m.invitation.ignore}</p>
      </EmailLayout>,
    ),
  }
}

export const previewInvitation: InvitationProps = {
  recipientName: 'Nguyễn Văn An',
  inviterName: 'Quản trị hệ thống',
  organisationName: 'Sở TT&TT Nam Định',
  roleLabel: 'Cán bộ ứng cứu',
  link: 'http://localhost:3000/invite/abcdefghijklmnopqrstuvwxyz234567',
  expiresAt: '2026-11-29T07:00:00Z',
}
