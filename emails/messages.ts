// Email wording in both languages. Emails render from plain data (no database, no app state).
export type EmailLocale = 'vi' | 'en'

export const MESSAGES = {
  vi: {
    footer: 'Thư này được gửi tự động từ CSIRT Net — Mạng lưới ứng cứu sự cố an toàn thông tin mạng quốc gia. Vui lòng không trả lời thư này.',
    openInApp: 'Mở trong CSIRT Net',
    tlpWithheld: 'Nội dung được gắn nhãn {tlp} nên không gửi qua email. Vui lòng đăng nhập để xem.',
    reference: 'Mã tham chiếu',
    when: 'Thời điểm',
    by: 'Người thực hiện',
    organisation: 'Tổ chức',
    invitation: {
      subject: 'Lời mời tham gia CSIRT Net',
      greeting: 'Kính gửi {name},',
      body: '{inviter} đã tạo tài khoản CSIRT Net cho bạn tại {organisation} với vai trò {role}.',
      action: 'Đặt mật khẩu',
      expires: 'Liên kết dùng được một lần và hết hạn lúc {expires}.',
      ignore: 'Nếu bạn không mong đợi thư này, hãy bỏ qua nó.',
    },
    passwordReset: {
      subject: 'Đặt lại mật khẩu CSIRT Net',
      greeting: 'Kính gửi {name},',
      body: 'Có yêu cầu đặt lại mật khẩu cho tài khoản của bạn.',
      action: 'Đặt mật khẩu mới',
      expires: 'Liên kết dùng được một lần và hết hạn lúc {expires}.',
      ignore: 'Nếu không phải bạn yêu cầu, hãy bỏ qua thư này; mật khẩu hiện tại vẫn giữ nguyên.',
    },
    summary: {
      subject: '{count} thông báo mới: {type}',
      intro: 'Có {count} sự kiện loại “{type}” trong vài phút qua. Để tránh gửi quá nhiều thư, chúng được gộp lại:',
    },
    digest: {
      subject: 'Bản tin CSIRT Net ngày {date}: {count} thông báo',
      intro: 'Các thông báo bạn chọn nhận theo bản tin hằng ngày:',
    },
    eventTypes: {
      'user.invited': 'Lời mời tham gia',
      'auth.password_reset_requested': 'Đặt lại mật khẩu',
      'user.role_changed': 'Vai trò của bạn đã thay đổi',
      'cluster.officer_assigned': 'Phân công Cụm trưởng/Cụm phó',
      'incident.filed': 'Sự cố mới được báo cáo',
      'incident.acknowledged': 'Sự cố đã được tiếp nhận',
      'incident.status_changed': 'Trạng thái sự cố thay đổi',
      'incident.comment_added': 'Trao đổi mới về sự cố',
      'incident.assigned': 'Sự cố được giao xử lý',
      'incident.escalated': 'Sự cố được chuyển lên VNCERT/CC',
      'incident.triaged': 'VNCERT/CC đã phân loại sự cố',
      'incident.info_requested': 'VNCERT/CC yêu cầu bổ sung thông tin',
      'incident.coordination_requested': 'Yêu cầu điều phối ứng cứu',
      'incident.coordination_answered': 'Phản hồi yêu cầu điều phối',
      'incident.deadline_approaching': 'Sắp đến hạn báo cáo sự cố',
      'incident.deadline_overdue': 'Quá hạn báo cáo sự cố',
      'drill.published': 'Đợt diễn tập mới',
      'drill.registered': 'Đăng ký diễn tập',
      'drill.approval_requested': 'Cần phê duyệt đăng ký diễn tập',
      'drill.waitlist_promoted': 'Bạn đã có chỗ trong đợt diễn tập',
      'drill.cancelled': 'Đợt diễn tập bị hủy',
      'drill.registration_cancelled': 'Đăng ký diễn tập của bạn đã bị hủy',
      'drill.rescheduled': 'Đợt diễn tập thay đổi thời gian hoặc địa điểm',
      'drill.registration_closing': 'Sắp hết hạn đăng ký diễn tập',
      'drill.starting_soon': 'Đợt diễn tập sắp bắt đầu',
      'indicator.correlated': 'Chỉ dấu trùng giữa các tổ chức',
    } as Record<string, string>,
  },
  en: {
    footer: 'This message was sent automatically by CSIRT Net — the national cyber-security incident response network. Please do not reply.',
    openInApp: 'Open in CSIRT Net',
    tlpWithheld: 'The content is labelled {tlp}, so it is not sent by email. Please sign in to read it.',
    reference: 'Reference',
    when: 'When',
    by: 'By',
    organisation: 'Organisation',
    invitation: {
      subject: 'Your invitation to CSIRT Net',
      greeting: 'Dear {name},',
      body: '{inviter} created a CSIRT Net account for you at {organisation} with the role {role}.',
      action: 'Set your password',
      expires: 'The link works once and expires at {expires}.',
      ignore: 'If you did not expect this message, ignore it.',
    },
    passwordReset: {
      subject: 'Reset your CSIRT Net password',
      greeting: 'Dear {name},',
      body: 'Someone asked to reset the password of your account.',
      action: 'Choose a new password',
      expires: 'The link works once and expires at {expires}.',
      ignore: 'If it was not you, ignore this message; your password stays as it is.',
    },
    summary: {
      subject: '{count} new notifications: {type}',
      intro: 'There were {count} events of the kind “{type}” in the last few minutes. To avoid flooding your inbox they are gathered here:',
    },
    digest: {
      subject: 'CSIRT Net digest for {date}: {count} notifications',
      intro: 'The notifications you chose to receive as a daily digest:',
    },
    eventTypes: {
      'user.invited': 'Invitation',
      'auth.password_reset_requested': 'Password reset',
      'user.role_changed': 'Your role changed',
      'cluster.officer_assigned': 'Cluster lead/deputy assignment',
      'incident.filed': 'New incident reported',
      'incident.acknowledged': 'Incident acknowledged',
      'incident.status_changed': 'Incident status changed',
      'incident.comment_added': 'New comment on an incident',
      'incident.assigned': 'Incident assigned',
      'incident.escalated': 'Incident escalated to VNCERT/CC',
      'incident.triaged': 'VNCERT/CC triaged the incident',
      'incident.info_requested': 'VNCERT/CC asks for more information',
      'incident.coordination_requested': 'Coordination request',
      'incident.coordination_answered': 'Coordination request answered',
      'incident.deadline_approaching': 'Incident report due soon',
      'incident.deadline_overdue': 'Incident report overdue',
      'drill.published': 'New drill',
      'drill.registered': 'Drill registration',
      'drill.approval_requested': 'A drill registration awaits your approval',
      'drill.waitlist_promoted': 'You have a place in the drill',
      'drill.cancelled': 'Drill cancelled',
      'drill.registration_cancelled': 'Your drill registration was cancelled',
      'drill.rescheduled': 'Drill time or place changed',
      'drill.registration_closing': 'Drill registration closes soon',
      'drill.starting_soon': 'Drill starts soon',
      'indicator.correlated': 'Indicator shared by several organisations',
    } as Record<string, string>,
  },
} as const

export type Messages = (typeof MESSAGES)['vi']

/** `{name}` placeholders filled from plain values (React escapes the result in HTML). */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k in values ? String(values[k]) : `{${k}}`))
}

export function eventTypeLabel(locale: EmailLocale, type: string): string {
  return MESSAGES[locale].eventTypes[type] ?? type
}
