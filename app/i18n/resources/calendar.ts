// Calendar invitations, the "Add to calendar" download and the per-user feed of drills (issue 6).
export const calendar = {
  vi: {
    withheldSummary: 'Diễn tập CSIRT Net (TLP:{{tlp}})',
    sessionSummary: '{{title}} (buổi {{n}}/{{of}})',
    feedName: 'Diễn tập của tôi — CSIRT Net',
    addToCalendar: 'Thêm vào lịch (.ics)',
    invitationAttached: 'Kèm theo thư: lời mời lịch {{fileName}} (METHOD:{{method}}).',
    feed: {
      title: 'Lịch diễn tập',
      intro: 'Đăng ký địa chỉ này trong ứng dụng lịch để thấy các đợt diễn tập bạn đã có chỗ. Ai có địa chỉ này đều đọc được lịch: giữ kín như mật khẩu.',
      none: 'Bạn chưa tạo địa chỉ lịch.',
      active: 'Địa chỉ lịch tạo lúc {{createdAt}}.',
      shownOnce: 'Địa chỉ lịch mới của bạn (chỉ hiện một lần, hãy sao chép ngay):',
      create: 'Tạo địa chỉ lịch',
      rotate: 'Tạo địa chỉ mới (địa chỉ cũ ngừng hoạt động)',
      revoke: 'Thu hồi địa chỉ lịch',
      revoked: 'Đã thu hồi địa chỉ lịch.',
    },
  },
  en: {
    withheldSummary: 'CSIRT Net drill (TLP:{{tlp}})',
    sessionSummary: '{{title}} (session {{n}} of {{of}})',
    feedName: 'My drills — CSIRT Net',
    addToCalendar: 'Add to calendar (.ics)',
    invitationAttached: 'Attached: calendar invitation {{fileName}} (METHOD:{{method}}).',
    feed: {
      title: 'Drill calendar',
      intro: 'Subscribe to this address in your calendar app to see the drills you hold a place in. Anyone with the address can read the calendar: keep it like a password.',
      none: 'You have no calendar address yet.',
      active: 'Calendar address created on {{createdAt}}.',
      shownOnce: 'Your new calendar address (shown only once: copy it now):',
      create: 'Create a calendar address',
      rotate: 'Create a new address (the old one stops working)',
      revoke: 'Revoke the calendar address',
      revoked: 'Calendar address revoked.',
    },
  },
}
